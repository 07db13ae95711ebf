/**
 * docs/configuration.md is current: its generated reference section is what the config schema makes
 * now (every key, variable and default), and its hand-written table explains every key. A key added to
 * the schema without `npm run docs:generate` and a line of explanation fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';
import { CONFIG_REFERENCE_END, CONFIG_REFERENCE_START, configReferenceTable, withConfigReference } from './reference.js';

const CONFIG_DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
const KEYS = Object.keys(configSchema.in.shape);

describe('the configuration reference', () => {
  it('is what the schema generates now (run `npm run docs:generate` after changing the schema)', () => {
    expect(withConfigReference(CONFIG_DOC)).toBe(CONFIG_DOC);
  });

  it('has a row for every key, with its variable and default', () => {
    const table = configReferenceTable();
    for (const key of KEYS) expect(table, key).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
    expect(table).toContain('| `port` | `AEGIS_PORT` | whole number 0–65535 | `9100` |');
    expect(table).toContain('| `defaultPermissionMode` | `AEGIS_PERMISSION_MODE` |');
    expect(table).toMatch(/\| `eventReplaySize` \| file only \|/);
    expect(table).toMatch(/\| `authToken` \| `AEGIS_AUTH_TOKEN` \| string \| unset \|/);
  });

  it('is found stale when a key is missing from the doc', () => {
    const row = CONFIG_DOC.split('\n').find((line) => line.startsWith('| `lockoutMs` | `AEGIS_LOCKOUT_MS` | whole number'))!;
    const stale = CONFIG_DOC.replace(`${row}\n`, '');
    expect(stale).not.toBe(CONFIG_DOC);
    expect(withConfigReference(stale)).not.toBe(stale);
  });

  it('refuses a doc without the markers', () => {
    expect(() => withConfigReference(CONFIG_DOC.replace(CONFIG_REFERENCE_START, ''))).toThrow(/generated:config:start/);
    expect(() => withConfigReference(CONFIG_DOC.replace(CONFIG_REFERENCE_END, ''))).toThrow(/generated:config/);
  });

  it('explains every key in the hand-written table above it', () => {
    const explained = CONFIG_DOC.slice(0, CONFIG_DOC.indexOf(CONFIG_REFERENCE_START))
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]));
    expect(KEYS.filter((key) => !explained.includes(key))).toEqual([]);
  });
});
