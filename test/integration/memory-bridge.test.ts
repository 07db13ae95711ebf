/**
 * The memory bridge on a real daemon started from the upstream example configuration: its memory.json
 * imported once, entries kept across restarts, each key's entries its own and shared/ ones shared,
 * the memory scopes enforced, and hostile keys, values and sizes answered with clear 4xx envelopes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { memoryBridgeSchema } from '../../src/config/memory-bridge-schema.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

const MASTER = 'memory-bridge-master-token-0123456789';
const master = { authorization: `Bearer ${MASTER}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const UPSTREAM = {
  port: 9100,
  authToken: MASTER,
  memoryBridge: { enabled: true, persistPath: './memory.json', reaperIntervalMs: 3600000 },
  modelRouter: { enabled: true, tiers: { fast: 'claude-3-5-haiku-20241022', standard: 'claude-sonnet-4-20250514', power: 'claude-opus-4-20250115' } },
};

describe('the memory bridge on a daemon', () => {
  let t: TestDaemon;
  let configDir: string;
  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'aegis-upstream-'));
    writeFileSync(join(configDir, 'aegis.config.json'), JSON.stringify(UPSTREAM));
    writeFileSync(join(configDir, 'memory.json'), JSON.stringify({ 'project/goal': 'ship it', 'shared/motd': { text: 'hello' } }));
    const { config } = loadConfig({ env: {}, cwd: configDir });
    const { authToken, memoryBridge, modelRouter } = config;
    t = await startTestDaemon({ config: { authToken, memoryBridge, modelRouter } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  const createKey = async (name: string, role: string) => {
    const res = await t.api('POST', '/v1/auth/keys', { name, role }, master);
    expect(res.status).toBe(201);
    return res.body.key as string;
  };

  it('starts from the upstream example, with its tiers and its memory.json imported', async () => {
    const tiers = await t.api('GET', '/v1/dev/model-tiers', undefined, master);
    expect(tiers.body).toEqual({
      enabled: true,
      tiers: [
        { name: 'fast', model: 'claude-3-5-haiku-20241022', default: false },
        { name: 'standard', model: 'claude-sonnet-4-20250514', default: true },
        { name: 'power', model: 'claude-opus-4-20250115', default: false },
      ],
    });
    expect((await t.api('GET', '/v1/memory/project%2Fgoal', undefined, master)).body).toMatchObject({ key: 'project/goal', value: 'ship it', shared: false });
    expect((await t.api('GET', '/v1/memory?prefix=shared/', undefined, master)).body.entries).toMatchObject([{ key: 'shared/motd', value: { text: 'hello' }, shared: true }]);
  });

  it('keeps entries across a restart and never imports memory.json again', async () => {
    expect((await t.api('POST', '/v1/memory', { key: 'kept', value: [1, 2, 3], ttlSeconds: 3600 }, master)).status).toBe(201);
    expect((await t.api('DELETE', '/v1/memory/project%2Fgoal', undefined, master)).body).toEqual({ key: 'project/goal', deleted: true });
    await t.stop();
    await t.restart();
    expect((await t.api('GET', '/v1/memory/kept', undefined, master)).body).toMatchObject({ value: [1, 2, 3], expiresAt: expect.any(String) });
    const gone = await t.api('GET', '/v1/memory/project%2Fgoal', undefined, master);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: 'MEMORY_NOT_FOUND' });
  });

  it('needs memory:read and memory:write, and keeps each key to its own entries but shared/', async () => {
    const viewer = await createKey('viewer', 'viewer');
    for (const [method, path, body, scope] of [
      ['GET', '/v1/memory', undefined, 'memory:read'],
      ['GET', '/v1/memory/kept', undefined, 'memory:read'],
      ['POST', '/v1/memory', { key: 'x', value: 1 }, 'memory:write'],
      ['DELETE', '/v1/memory/kept', undefined, 'memory:write'],
    ] as const) {
      const res = await t.api(method, path, body, bearer(viewer));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: scope } });
    }
    expect((await t.api('GET', '/v1/memory', undefined)).status).toBe(401);

    const alice = await createKey('alice', 'operator');
    const bob = await createKey('bob', 'operator');
    await t.api('POST', '/v1/memory', { key: 'todo', value: 'alice' }, bearer(alice));
    await t.api('POST', '/v1/memory', { key: 'shared/board', value: 'posted by alice' }, bearer(alice));
    expect((await t.api('GET', '/v1/memory/todo', undefined, bearer(bob))).status).toBe(404);
    expect((await t.api('GET', '/v1/memory/kept', undefined, bearer(bob))).status).toBe(404);
    expect((await t.api('DELETE', '/v1/memory/todo', undefined, bearer(bob))).status).toBe(404);
    expect((await t.api('GET', '/v1/memory/shared%2Fboard', undefined, bearer(bob))).body.value).toBe('posted by alice');
    expect((await t.api('GET', '/v1/memory', undefined, bearer(bob))).body.entries.map((e: { key: string }) => e.key)).toEqual(['shared/board', 'shared/motd']);
    expect((await t.api('GET', '/v1/memory/todo', undefined, bearer(alice))).body.value).toBe('alice');
  });

  it('answers hostile keys, values and sizes with 4xx envelopes', async () => {
    const invalid = async (method: string, path: string, body?: unknown) => {
      const res = await t.api(method, path, body, master);
      expect(res.status, `${method} ${path.slice(0, 60)}`).toBe(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
      return res.body.error;
    };
    for (const key of ['../../etc/passwd', 'a/../b', '/abs', 'a//b', 'nul\u0000', 'esc\u001b[2J', 'k'.repeat(10_240), '']) {
      expect((await invalid('POST', '/v1/memory', { key, value: 1 })).details.issues[0].path).toBe('key');
    }
    for (const path of ['..%2F..%2Fetc%2Fpasswd', 'a%2F..%2Fb', '%00', '%1b%5b2J', 'a%2F%2Fb', 'k'.repeat(10_240), '%E2%80%AE']) {
      await invalid('GET', `/v1/memory/${path}`);
      await invalid('DELETE', `/v1/memory/${path}`);
    }
    await invalid('GET', '/v1/memory?prefix=%00');
    await invalid('GET', '/v1/memory?limit=0');
    await invalid('POST', '/v1/memory', { key: 'k' });
    await invalid('POST', '/v1/memory', { key: 'k', value: 1, ttlSeconds: 0 });
    await invalid('POST', '/v1/memory', { key: 'k', value: 1, ttlSeconds: 1.5 });
    await invalid('POST', '/v1/memory', { key: 'k', value: 1, owner: 'key_other' });

    const tooBig = await t.api('POST', '/v1/memory', { key: 'big', value: 'x'.repeat(65_536) }, master);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ code: 'MEMORY_VALUE_TOO_LARGE', details: { bytes: 65_538, maxValueBytes: 65_536 } });
    const huge = await t.api('POST', '/v1/memory', { key: 'huge', value: 'x'.repeat(5 * 1024 * 1024) }, master);
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.api('GET', '/v1/memory/big', undefined, master)).status).toBe(404);
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
  });
});

describe('the memory bridge by default', () => {
  it('is on without any configuration, and off only when the configuration says enabled: false', async () => {
    const on = await startTestDaemon({ claude: false });
    try {
      expect((await on.api('POST', '/v1/memory', { key: 'plan', value: 'ship it' })).status).toBe(201);
      expect((await on.api('GET', '/v1/memory/plan')).body).toMatchObject({ key: 'plan', value: 'ship it' });
    } finally {
      await on.close();
    }
    const off = await startTestDaemon({ claude: false, config: { memoryBridge: memoryBridgeSchema.parse({ enabled: false }) } });
    try {
      const res = await off.api('GET', '/v1/memory/plan');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('MEMORY_DISABLED');
    } finally {
      await off.close();
    }
  });
});
