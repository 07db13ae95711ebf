/**
 * The example configuration of the upstream deployment guide loads as is, each of its keys with its
 * documented meaning; only a token too short to be safe is refused, by a message that says how to make
 * a good one and never repeats the token.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from './load.js';

const upstreamExample = (authToken: string) => ({
  port: 9100,
  authToken,
  memoryBridge: { enabled: true, persistPath: './memory.json', reaperIntervalMs: 3600000 },
  modelRouter: { enabled: true, tiers: { fast: 'claude-3-5-haiku-20241022', standard: 'claude-sonnet-4-20250514', power: 'claude-opus-4-20250115' } },
});

function loadFile(content: unknown) {
  const cwd = mkdtempSync(join(tmpdir(), 'aegis-upstream-'));
  writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify(content));
  return loadConfig({ env: {}, cwd });
}

function refusal(content: unknown): string {
  try {
    loadFile(content);
  } catch (err) {
    return (err as Error).message;
  }
  return 'loaded';
}

describe('the upstream example configuration', () => {
  it('loads with a good token, every key meaning what the guide says', () => {
    const { config, configFile } = loadFile(upstreamExample('a-token-of-more-than-16-chars'));
    expect(config.port).toBe(9100);
    // A relative persistPath is taken from the config file's directory.
    expect(config.memoryBridge).toEqual({ enabled: true, persistPath: join(dirname(configFile!), 'memory.json'), reaperIntervalMs: 3_600_000, maxValueBytes: 65_536, maxTotalBytes: 67_108_864, maxNamespaceBytes: 16_777_216 });
    expect(config.modelRouter).toMatchObject({
      enabled: true,
      tiers: { fast: 'claude-3-5-haiku-20241022', standard: 'claude-sonnet-4-20250514', power: 'claude-opus-4-20250115' },
      defaultTier: 'standard',
    });
    expect(config.modelRouter?.rules.map((rule) => rule.tier)).toEqual(['power', 'power', 'power', 'power', 'fast']);
  });

  it('refuses its 10-character token, saying how to make a good one, without repeating it', () => {
    const message = refusal(upstreamExample('0123456789'));
    expect(message).toMatch(/authToken\): must be at least 16 characters \(got 10 characters\); make a random one with `openssl rand -hex 32`/);
    expect(message).not.toContain('0123456789');
  });

  it('names a wrong nested key by its path', () => {
    expect(refusal({ modelRouter: { tiers: { fast: 'haiku' }, defaultTier: 'slow' } })).toMatch(/\(modelRouter\)\.defaultTier: names no tier in tiers \(have: fast\) \(got "slow"\)/);
    expect(refusal({ memoryBridge: { reaperIntervalMs: 10 } })).toMatch(/\(memoryBridge\)\.reaperIntervalMs: .*>=1000 \(got 10\)/);
    expect(refusal({ modelRouter: { enabled: true, colour: 'blue' } })).toMatch(/\(modelRouter\): Unrecognized key: "colour"/);
  });

  it('never shows the telemetry headers, in an error or in the redacted configuration', () => {
    const secret = 'Bearer collector-secret-123';
    expect(refusal({ claudeTelemetry: { endpoint: 'ftp://x', headers: { Authorization: secret } } })).not.toContain('collector-secret');
    expect(refusal({ claudeTelemetry: { endpoint: 'http://c:4317', headers: { Authorization: `${secret}\n` } } })).not.toContain('collector-secret');
    expect(refusal({ claudeTelemetry: 'not an object' })).toMatch(/claudeTelemetry/);
    const { config } = loadFile({ claudeTelemetry: { endpoint: 'http://collector:4317', headers: { Authorization: secret } } });
    expect(config.claudeTelemetry?.headers).toEqual({ Authorization: secret });
    expect(JSON.stringify(redactConfig(config))).not.toContain('collector-secret');
    expect(redactConfig(config).claudeTelemetry).toMatchObject({ endpoint: 'http://collector:4317', headers: { Authorization: '[redacted]' } });
  });
});
