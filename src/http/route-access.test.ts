/**
 * The access table walked: every registered route, called with no token, a wrong token, an expired
 * key, a revoked key, a forged, an expired and a revoked key's web session cookie, the master token
 * and a key of each role, by bearer and by its login's cookie (on its own session and on another
 * key's), must answer what src/http/route-scopes.ts says: 401, 403 naming the scope, 404 for another
 * key's session, else 2xx. A route the walk has no sample request for fails it, and so does a route
 * added without a scope.
 */
import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryKeyRepository } from '../auth/key-repository.js';
import { MemoryWebSessionRepository, WebSessions } from '../auth/web-sessions.js';
import { KeyService } from '../auth/keys.js';
import { ROLE_NAMES, ROLES, type Role } from '../auth/scopes.js';
import { MASTER_IDENTITY } from '../auth/scopes.js';
import { configSchema } from '../config/schema.js';
import { silentLogger } from '../log.js';
import { MemoryBridge } from '../memory/memory-bridge.js';
import { openDatabase } from '../store/database.js';
import { MemoryStore } from '../store/memory-store.js';
import { buildApp } from './app.js';
import { routeCatalogPlugin } from './route-catalog.js';
import { ROUTE_ACCESS } from './route-scopes.js';
import { sse, status, stubSupervisor } from '../../test/support/app-stubs.js';

const MASTER = 'route-access-master-token-0123456789';
const OTHER_KEY_SESSION = '11111111-1111-4111-8111-111111111111';
/** A shared memory entry, there before every request (a DELETE removes it). */
const SHARED_SAMPLE = 'shared/sample';
const silent = pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true }));

interface Sample {
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request each route answers 2xx to when the caller may make it; `:id` is the session or key under test. */
function sampleFor(route: string, sessionId: string, keyId: string): Sample | undefined {
  const samples: Record<string, Sample> = {
    'GET /': { url: '/' },
    'GET /assets/*': { url: '/assets/app-ABCD1234.js' },
    'POST /v1/auth/login': { url: '/v1/auth/login', body: { token: MASTER } },
    'POST /v1/auth/logout': { url: '/v1/auth/logout' },
    'GET /v1/auth/session': { url: '/v1/auth/session' },
    'GET /v1/sessions/:id/terminal': { url: `/v1/sessions/${sessionId}/terminal` },
    'POST /v1/sessions/:id/input': { url: `/v1/sessions/${sessionId}/input`, body: { data: 'hi' } },
    'GET /v1/health': { url: '/v1/health' },
    'GET /v1/ready': { url: '/v1/ready' },
    'GET /v1/openapi.json': { url: '/v1/openapi.json' },
    'POST /v1/sessions': { url: '/v1/sessions', body: { workDir: '/tmp' } },
    'GET /v1/sessions': { url: '/v1/sessions' },
    'GET /v1/sessions/health': { url: '/v1/sessions/health' },
    'GET /v1/sessions/:id': { url: `/v1/sessions/${sessionId}` },
    'GET /v1/sessions/:id/health': { url: `/v1/sessions/${sessionId}/health` },
    'DELETE /v1/sessions/:id': { url: `/v1/sessions/${sessionId}` },
    'POST /v1/sessions/:id/send': { url: `/v1/sessions/${sessionId}/send`, body: { text: 'hi' } },
    'GET /v1/sessions/:id/read': { url: `/v1/sessions/${sessionId}/read` },
    'GET /v1/sessions/:id/pane': { url: `/v1/sessions/${sessionId}/pane` },
    'POST /v1/sessions/:id/interrupt': { url: `/v1/sessions/${sessionId}/interrupt` },
    'POST /v1/sessions/:id/escape': { url: `/v1/sessions/${sessionId}/escape` },
    'GET /v1/sessions/:id/permissions': { url: `/v1/sessions/${sessionId}/permissions` },
    'POST /v1/sessions/:id/approve': { url: `/v1/sessions/${sessionId}/approve`, body: {} },
    'POST /v1/sessions/:id/reject': { url: `/v1/sessions/${sessionId}/reject`, body: {} },
    'POST /v1/sessions/:id/answer': { url: `/v1/sessions/${sessionId}/answer`, body: { answer: 'yes' } },
    'GET /v1/events': { url: '/v1/events' },
    'GET /v1/sessions/:id/events': { url: `/v1/sessions/${sessionId}/events` },
    'POST /v1/auth/keys': { url: '/v1/auth/keys', body: { name: 'made', role: 'viewer' } },
    'GET /v1/auth/keys': { url: '/v1/auth/keys' },
    'DELETE /v1/auth/keys/:id': { url: `/v1/auth/keys/${keyId}` },
    'POST /v1/auth/keys/:id/rotate': { url: `/v1/auth/keys/${keyId}/rotate`, body: {} },
    'POST /v1/auth/sse-token': { url: '/v1/auth/sse-token' },
    'GET /v1/diagnostics': { url: '/v1/diagnostics' },
    'GET /v1/cluster/nodes': { url: '/v1/cluster/nodes' },
    'GET /v1/metrics': { url: '/v1/metrics?format=prometheus' },
    'GET /v1/audit': { url: '/v1/audit' },
    'GET /v1/audit/export': { url: '/v1/audit/export?format=jsonl' },
    'GET /v1/audit/verify': { url: '/v1/audit/verify' },
    'POST /v1/admin/backup': { url: '/v1/admin/backup' },
    'POST /v1/dev/route-task': { url: '/v1/dev/route-task', body: { task: 'fix a typo in README.md' } },
    'GET /v1/dev/model-tiers': { url: '/v1/dev/model-tiers' },
    'POST /v1/memory': { url: '/v1/memory', body: { key: 'notes', value: { n: 1 } } },
    'GET /v1/memory': { url: '/v1/memory?prefix=shared/' },
    'GET /v1/memory/:key': { url: `/v1/memory/${encodeURIComponent(SHARED_SAMPLE)}` },
    'DELETE /v1/memory/:key': { url: `/v1/memory/${encodeURIComponent(SHARED_SAMPLE)}` },
  };
  return samples[route];
}

describe('every route against the access table', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const keys = new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [], now: () => now });
  const owners = new Map<string, string | null>([[OTHER_KEY_SESSION, 'key_someone_else']]);
  let app: Awaited<ReturnType<typeof buildApp>>;
  const db = openDatabase(':memory:');
  let memory: MemoryBridge;
  const roleKeys = new Map<Role, { secret: string; ownSession: string; cookie: string; csrf: string }>();
  let expiredKey = '';
  let revokedKey = '';
  const webSessions = new WebSessions(new MemoryWebSessionRepository(), keys, { ttlMs: 3600_000, authToken: MASTER, now: () => now });
  /** Cookies that stand for nothing: made up, past their hour, of a key revoked since. */
  let expiredCookie = '';
  let revokedKeyCookie = '';
  const dashboardDir = mkdtempSync(join(tmpdir(), 'aegis-route-access-'));
  let address = 0;
  /** Each request from its own address: bad credentials must not lock the walk out. */
  const nextAddress = () => `10.1.${(++address >> 8) & 255}.${address & 255}`;

  beforeAll(async () => {
    mkdirSync(join(dashboardDir, 'assets'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>stub</title>');
    writeFileSync(join(dashboardDir, 'assets', 'app-ABCD1234.js'), 'export {};');
    const config = configSchema.parse({ authToken: MASTER, rateLimitPerIp: 0, rateLimitPerKey: 0, memoryBridge: { enabled: true }, dashboardDir });
    const backup = async () => ({ file: '/state/backups/aegis-test.db', bytes: 0, createdAt: new Date(0).toISOString() });
    memory = new MemoryBridge(new MemoryStore(db), config.memoryBridge, { logger: silentLogger });
    app = await buildApp({ config, supervisor: stubSupervisor(owners), sse, status, logger: silent, keys, backup, memory, webSessions });
    await app.ready();
    for (const role of ROLE_NAMES) {
      const made = keys.create({ name: role, role });
      const ownSession = `22222222-2222-4222-8222-${String(roleKeys.size).padStart(12, '0')}`;
      owners.set(ownSession, made.id);
      const login = webSessions.open(keys.identityOf(made.id)!);
      roleKeys.set(role, { secret: made.key, ownSession, cookie: login.secret, csrf: login.csrfToken });
    }
    expiredKey = keys.create({ name: 'expired', role: 'admin', expiresInDays: 1 }).key;
    revokedKey = keys.create({ name: 'revoked', role: 'admin' }).key;
    revokedKeyCookie = webSessions.open(keys.identityOf(keys.list().find((k) => k.name === 'revoked')!.id)!).secret;
    keys.revoke(keys.list().find((k) => k.name === 'revoked')!.id);
    expiredCookie = webSessions.open(MASTER_IDENTITY).secret;
    now += 2 * 24 * 3600 * 1000;
    // The role keys' logins are made again after the clock moved: the ones above have expired.
    for (const [role, entry] of roleKeys) {
      const keyId = keys.list().find((k) => k.name === role)!.id;
      const login = webSessions.open(keys.identityOf(keyId)!);
      roleKeys.set(role, { ...entry, cookie: login.secret, csrf: login.csrfToken });
    }
  });
  afterAll(async () => {
    await app?.close();
    keys.close();
    db.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  type Credential = { authorization?: string; cookie?: string; csrf?: string };

  async function call(route: string, sessionId: string, credential: Credential | string = {}) {
    const { authorization, cookie, csrf } = typeof credential === 'string' ? { authorization: credential } : credential;
    const [method, path] = route.split(' ') as [string, string];
    const throwaway = keys.create({ name: 'throwaway', role: 'viewer' }).id;
    const sample = sampleFor(route, sessionId, throwaway);
    expect(sample, `${route} has no sample request in this walk: add one`).toBeDefined();
    memory.put(MASTER_IDENTITY, { key: SHARED_SAMPLE, value: 'there' });
    const headers = {
      ...sample!.headers,
      ...(authorization ? { authorization } : {}),
      ...(cookie ? { cookie: `aegis_session=${cookie}` } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    };
    const res = await app.inject({ method: method as 'GET', url: sample!.url, headers, remoteAddress: nextAddress(), ...(sample!.body !== undefined ? { payload: sample!.body as object } : {}) });
    return { path, res };
  }

  const routes = () => app.routeCatalog.list().map((r) => `${r.method} ${r.url}`);

  it('has a scope for every registered route and no entry for a route that does not exist', () => {
    const registered = app.routeCatalog.list().map((r) => `${r.method} ${r.url}`);
    expect(Object.keys(ROUTE_ACCESS).sort()).toEqual([...registered].sort());
  });

  it('refuses no token, a wrong token, an expired key and a revoked key with 401, and serves the public routes to anyone', async () => {
    for (const route of routes()) {
      const access = ROUTE_ACCESS[route];
      for (const [label, credential] of [
        ['no token', {}],
        ['a wrong token', { authorization: 'Bearer aeg_not-a-key-at-all-000000000000000000000000' }],
        ['an expired key', { authorization: `Bearer ${expiredKey}` }],
        ['a revoked key', { authorization: `Bearer ${revokedKey}` }],
        ['a forged cookie', { cookie: 'bm90LWEtc2Vzc2lvbi1hdC1hbGwtMDAwMDAwMDAwMDAwMDA', csrf: 'forged' }],
        ['an expired cookie', { cookie: expiredCookie }],
        ["a revoked key's cookie", { cookie: revokedKeyCookie }],
      ] as const) {
        const { res } = await call(route, OTHER_KEY_SESSION, credential);
        expect(res.headers, `${route} with ${label}`).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
        expect(res.headers['content-security-policy'], `${route} with ${label}`).toContain("frame-ancestors 'none'");
        if (route !== 'GET /assets/*') expect(res.headers['cache-control'], `${route} with ${label}`).toBe('no-store');
        if (access === 'public' || (access === 'optional' && label === 'no token')) expect(res.statusCode, `${route} with ${label}`).toBe(200);
        else {
          expect(res.statusCode, `${route} with ${label}`).toBe(401);
          expect(res.json().error.code).toBe('UNAUTHORIZED');
        }
      }
    }
  });

  it('serves the master token every route, on any session', async () => {
    for (const route of routes()) {
      const { res } = await call(route, OTHER_KEY_SESSION, `Bearer ${MASTER}`);
      expect(res.headers, route).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      if (!route.endsWith('/events') && !route.endsWith('/terminal') && route !== 'GET /assets/*') expect(res.headers['cache-control'], route).toBe('no-store');
      expect(res.statusCode, route).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, route).toBeLessThan(300);
    }
  });

  for (const role of ROLE_NAMES) {
    // A key that may start sessions acts on its own; one that cannot (viewer, approver) oversees all.
    const ownOnly = role !== 'admin' && (ROLES[role] as readonly string[]).includes('sessions:write');
    it(`gives a ${role} key, and its login's cookie, what its scopes allow, on ${ownOnly ? 'its own sessions only' : 'every session'}`, async () => {
      const { secret, ownSession } = roleKeys.get(role)!;
      const scopes: readonly string[] = ROLES[role];
      for (const route of routes()) {
        const access = ROUTE_ACCESS[route]!;
        for (const [sessionId, by] of [[ownSession, 'bearer'], [OTHER_KEY_SESSION, 'bearer'], [ownSession, 'cookie'], [OTHER_KEY_SESSION, 'cookie']] as const) {
          const { cookie, csrf } = roleKeys.get(role)!;
          const { path, res } = await call(route, sessionId, by === 'bearer' ? `Bearer ${secret}` : { cookie, csrf });
          // A logout ends the cookie, and a login replaces the one it was sent with.
          if ((route === 'POST /v1/auth/logout' || route === 'POST /v1/auth/login') && by === 'cookie') {
            const keyId = keys.list().find((k) => k.name === role)!.id;
            const login = webSessions.open(keys.identityOf(keyId)!);
            roleKeys.set(role, { ...roleKeys.get(role)!, cookie: login.secret, csrf: login.csrfToken });
          }
          const what = `${role} ${route} on ${sessionId === ownSession ? 'its own' : "another key's"} session, by ${by}`;
          if (access !== 'public' && access !== 'authenticated' && access !== 'optional' && !scopes.includes(access)) {
            expect(res.statusCode, what).toBe(403);
            expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: access } });
          } else if (path.startsWith('/v1/sessions/:id') && sessionId === OTHER_KEY_SESSION && ownOnly) {
            expect(res.statusCode, what).toBe(404);
            expect(res.json().error.code).toBe('SESSION_NOT_FOUND');
          } else {
            expect(res.statusCode, `${what}: ${res.body}`).toBeGreaterThanOrEqual(200);
            expect(res.statusCode, what).toBeLessThan(300);
          }
        }
      }
    });
  }

  it('refuses to register a route that has no scope in the table', async () => {
    const bare = Fastify();
    await bare.register(routeCatalogPlugin);
    await expect(
      bare.register(async (plugin) => {
        plugin.get('/v1/unlisted', async () => ({}));
      }),
    ).rejects.toThrow(/no entry in src\/http\/route-scopes\.ts/);
    await bare.close();
  });
});
