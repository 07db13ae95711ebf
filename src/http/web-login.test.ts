/**
 * The dashboard's login against hostile callers: the cookie's attributes, a bad token counted toward
 * the lockout, forged, expired and revoked-key cookies refused, CSRF required of every state-changing
 * cookie request (and of no bearer one), a page of another site refused, logout ending the cookie, and
 * the static files served with the strict headers, or a clear 503 without a build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryKeyRepository } from '../auth/key-repository.js';
import { KeyService } from '../auth/keys.js';
import { Lockout } from '../auth/lockout.js';
import { MemoryWebSessionRepository, WebSessions } from '../auth/web-sessions.js';
import { configSchema } from '../config/schema.js';
import { buildApp } from './app.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';
import { sse, status, stubSupervisor } from '../../test/support/app-stubs.js';

const MASTER = 'web-login-master-token-0123456789';
const SESSION = '33333333-3333-4333-8333-333333333333';
const silent = pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true }));

interface Built {
  app: Awaited<ReturnType<typeof buildApp>>;
  keys: KeyService;
  advance: (ms: number) => void;
}

async function build(options: { authToken?: string; trustProxy?: boolean; dashboardDir: string }): Promise<Built> {
  let now = Date.parse('2026-03-01T00:00:00Z');
  const keys = new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [], now: () => now });
  const config = configSchema.parse({ ...(options.authToken ? { authToken: options.authToken } : {}), trustProxy: options.trustProxy ?? false, dashboardDir: options.dashboardDir, webSessionHours: 1 });
  const webSessions = new WebSessions(new MemoryWebSessionRepository(), keys, { ttlMs: 3600_000, authToken: config.authToken, now: () => now });
  const lockout = new Lockout({ maxFailures: 5, windowMs: 60_000, lockMs: 300_000, now: () => now });
  const app = await buildApp({ config, supervisor: stubSupervisor(new Map([[SESSION, null]])), sse, status, logger: silent, keys, webSessions, lockout });
  await app.ready();
  return { app, keys, advance: (ms) => (now += ms) };
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const header = [res.headers['set-cookie']].flat().find((c): c is string => typeof c === 'string' && c.startsWith('aegis_session='));
  expect(header, 'a session cookie is set').toBeDefined();
  return header!;
}

function secretOf(setCookie: string): string {
  return setCookie.split(';')[0]!.slice('aegis_session='.length);
}

describe('the dashboard login', () => {
  const dashboardDir = mkdtempSync(join(tmpdir(), 'aegis-web-login-'));
  let built: Built;
  let operatorKey = '';

  beforeAll(async () => {
    mkdirSync(join(dashboardDir, 'assets'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>stub</title><script src="/assets/app-ABCD1234.js"></script>');
    writeFileSync(join(dashboardDir, 'assets', 'app-ABCD1234.js'), 'export {};');
    writeFileSync(join(dashboardDir, 'assets', 'plain.css'), 'body{}');
    writeFileSync(join(dashboardDir, 'secret.txt'), 'outside the assets');
    built = await build({ authToken: MASTER, dashboardDir });
    operatorKey = built.keys.create({ name: 'ops', role: 'operator' }).key;
  });
  afterAll(async () => {
    await built?.app.close();
    built?.keys.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  async function login(token: string, remoteAddress = '10.9.0.1', headers: Record<string, string> = {}) {
    return built.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { token }, remoteAddress, headers });
  }

  it('trades a key for an HttpOnly, SameSite=Strict cookie and a CSRF token, not Secure over plain HTTP', async () => {
    const res = await login(operatorKey);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ csrfToken: expect.any(String), loginRequired: true, identity: { name: 'ops', role: 'operator', keyId: expect.stringMatching(/^key_/) } });
    expect(body.identity.scopes).toContain('sessions:write');
    expect(Date.parse(body.expiresAt) - Date.parse('2026-03-01T00:00:00Z')).toBe(3600_000);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    // The credential itself is nowhere in the answer but the cookie it was traded for.
    expect(res.body).not.toContain(operatorKey);
    expect(secretOf(cookie)).not.toBe(operatorKey);
  });

  it('sets Secure behind a trusted TLS proxy, and only there', async () => {
    const proxied = await build({ authToken: MASTER, trustProxy: true, dashboardDir });
    const untrusting = await build({ authToken: MASTER, dashboardDir });
    try {
      const viaProxy = await proxied.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { token: MASTER }, headers: { 'x-forwarded-proto': 'https' } });
      expect(cookieOf(viaProxy)).toMatch(/; Secure/);
      const claimed = await untrusting.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { token: MASTER }, headers: { 'x-forwarded-proto': 'https' } });
      expect(cookieOf(claimed)).not.toMatch(/Secure/);
    } finally {
      await proxied.app.close();
      await untrusting.app.close();
      proxied.keys.close();
      untrusting.keys.close();
    }
  });

  it('refuses a bad token with 401, counts it toward the lockout, and locks the address out after 5', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await login('aeg_guess-000000000000000000000000000000000', '10.9.1.1');
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const fifth = await login('aeg_guess-000000000000000000000000000000000', '10.9.1.1');
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().error.details.reason).toBe('locked_out');
    // Locked out: the right token does not help, and no cookie is made.
    const good = await login(operatorKey, '10.9.1.1');
    expect(good.statusCode).toBe(429);
    expect(good.headers['set-cookie']).toBeUndefined();
    // A bearer request from the address is locked out as well: the same lockout.
    const bearer = await built.app.inject({ method: 'GET', url: '/v1/sessions', remoteAddress: '10.9.1.1', headers: { authorization: `Bearer ${operatorKey}` } });
    expect(bearer.statusCode).toBe(429);
  });

  it('takes the cookie as the key on /v1 routes, and refuses a forged one (clearing it)', async () => {
    const secret = secretOf(cookieOf(await login(operatorKey)));
    const ok = await built.app.inject({ method: 'GET', url: `/v1/sessions/${SESSION}`, cookies: { aegis_session: secret }, remoteAddress: '10.9.2.1' });
    // The operator key owns nothing: another's session is 404, as by bearer.
    expect(ok.statusCode).toBe(404);
    const list = await built.app.inject({ method: 'GET', url: '/v1/sessions', cookies: { aegis_session: secret }, remoteAddress: '10.9.2.1' });
    expect(list.statusCode).toBe(200);
    const forged = await built.app.inject({ method: 'GET', url: '/v1/sessions', cookies: { aegis_session: `${secret.slice(0, -2)}xx` }, remoteAddress: '10.9.2.2' });
    expect(forged.statusCode).toBe(401);
    expect(cookieOf(forged)).toMatch(/aegis_session=;/);
  });

  it('asks every state-changing cookie request for its CSRF token, and no bearer request', async () => {
    const res = await login(MASTER);
    const secret = secretOf(cookieOf(res));
    const { csrfToken } = res.json();
    const send = (headers: Record<string, string>, cookie = true) =>
      built.app.inject({ method: 'POST', url: `/v1/sessions/${SESSION}/input`, payload: { data: 'ls\r' }, headers, remoteAddress: '10.9.3.1', ...(cookie ? { cookies: { aegis_session: secret } } : {}) });
    for (const headers of [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': '' }, { 'x-csrf-token': `${csrfToken}x` }] as Record<string, string>[]) {
      const refused = await send(headers);
      expect(refused.statusCode, JSON.stringify(headers)).toBe(403);
      expect(refused.json().error.code).toBe('CSRF_TOKEN_INVALID');
    }
    const del = await built.app.inject({ method: 'DELETE', url: `/v1/sessions/${SESSION}`, cookies: { aegis_session: secret }, remoteAddress: '10.9.3.1' });
    expect(del.statusCode).toBe(403);
    expect((await send({ 'x-csrf-token': csrfToken })).statusCode).toBe(200);
    expect((await send({ authorization: `Bearer ${MASTER}` }, false)).statusCode).toBe(200);
    // A bearer request that also carries the cookie uses the bearer: no CSRF needed.
    expect((await send({ authorization: `Bearer ${MASTER}` })).statusCode).toBe(200);
  });

  it('refuses a page of another site even with the cookie and its token, and serves the daemon\'s own page', async () => {
    const res = await login(MASTER);
    const secret = secretOf(cookieOf(res));
    const headers = { 'x-csrf-token': res.json().csrfToken, host: 'aegis.example:9100' };
    const cross = await built.app.inject({ method: 'POST', url: `/v1/sessions/${SESSION}/input`, payload: { data: 'x' }, cookies: { aegis_session: secret }, headers: { ...headers, origin: 'https://evil.example' } });
    expect(cross.statusCode).toBe(403);
    expect(cross.json().error).toMatchObject({ code: 'FORBIDDEN', details: { origin: 'https://evil.example' } });
    const same = await built.app.inject({ method: 'POST', url: `/v1/sessions/${SESSION}/input`, payload: { data: 'x' }, cookies: { aegis_session: secret }, headers: { ...headers, origin: 'http://aegis.example:9100' } });
    expect(same.statusCode).toBe(200);
  });

  it('ends the cookie when it expires, and when its key is revoked or expires', async () => {
    const expiring = await login(operatorKey);
    const secret = secretOf(cookieOf(expiring));
    built.advance(3600_000);
    const late = await built.app.inject({ method: 'GET', url: '/v1/auth/session', cookies: { aegis_session: secret }, remoteAddress: '10.9.4.1' });
    expect(late.statusCode).toBe(401);
    expect(late.json().error.message).toMatch(/expired/);

    const made = built.keys.create({ name: 'short', role: 'viewer', expiresInDays: 1 });
    const short = await login(made.key);
    // A key that ends before the cookie would, ends it sooner: the cookie says so.
    built.advance(23 * 3600_000 + 1800_000);
    const shortSecret = secretOf(cookieOf(await login(made.key)));
    expect(Date.parse((await login(made.key)).json().expiresAt)).toBe(Date.parse(made.expiresAt!));
    built.advance(3600_000);
    expect((await built.app.inject({ method: 'GET', url: '/v1/auth/session', cookies: { aegis_session: shortSecret }, remoteAddress: '10.9.4.2' })).statusCode).toBe(401);
    void short;

    const revocable = built.keys.create({ name: 'revocable', role: 'operator' });
    const revocableSecret = secretOf(cookieOf(await login(revocable.key)));
    expect((await built.app.inject({ method: 'GET', url: '/v1/sessions', cookies: { aegis_session: revocableSecret }, remoteAddress: '10.9.4.3' })).statusCode).toBe(200);
    built.keys.revoke(revocable.id);
    const revoked = await built.app.inject({ method: 'GET', url: '/v1/sessions', cookies: { aegis_session: revocableSecret }, remoteAddress: '10.9.4.3' });
    expect(revoked.statusCode).toBe(401);
  });

  it('tells a reloaded page who its cookie stands for but never gives the cookie its CSRF token (a page of another port is sent the cookie too), and ends the cookie at logout', async () => {
    const res = await login(operatorKey);
    const secret = secretOf(cookieOf(res));
    expect(res.json().csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await built.app.inject({ method: 'GET', url: '/v1/auth/session', cookies: { aegis_session: secret } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...res.json(), csrfToken: null });
    // The cookie alone cannot write, so it cannot mint a key that outlives it.
    const minted = await built.app.inject({ method: 'POST', url: '/v1/auth/keys', cookies: { aegis_session: secret }, payload: { name: 'taken', role: 'admin' } });
    expect(minted.statusCode).toBe(403);
    expect(minted.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const byBearer = await built.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { authorization: `Bearer ${operatorKey}` } });
    expect(byBearer.json()).toMatchObject({ csrfToken: null, expiresAt: null, identity: { role: 'operator' } });
    expect((await built.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies: { aegis_session: secret } })).statusCode).toBe(403);
    const out = await built.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies: { aegis_session: secret }, headers: { 'x-csrf-token': res.json().csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(cookieOf(out)).toMatch(/aegis_session=;/);
    const after = await built.app.inject({ method: 'GET', url: '/v1/auth/session', cookies: { aegis_session: secret }, remoteAddress: '10.9.5.1' });
    expect(after.statusCode).toBe(401);
  });

  it('tells a page without credentials that it must log in, as an answer rather than a refusal, and still refuses bad credentials', async () => {
    // A browser reports every 401 as an error; the page asks this each time it loads.
    const res = await built.app.inject({ method: 'GET', url: '/v1/auth/session', remoteAddress: '10.9.6.1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ csrfToken: null, expiresAt: null, loginRequired: true, identity: null });
    const wrong = await built.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { authorization: 'Bearer aeg_wrong-000000000000000000000000000000' }, remoteAddress: '10.9.6.1' });
    expect(wrong.statusCode).toBe(401);
    // Nobody may do anything else.
    expect((await built.app.inject({ method: 'POST', url: '/v1/auth/logout', remoteAddress: '10.9.6.1' })).statusCode).toBe(401);
  });

  it('opens without a login on a daemon without a master token', async () => {
    const open = await build({ dashboardDir });
    try {
      const res = await open.app.inject({ method: 'GET', url: '/v1/auth/session' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ loginRequired: false, csrfToken: null, identity: { keyId: null, name: 'local', role: 'admin' } });
      expect(res.json().identity.scopes).toHaveLength(8);
      // The master token means nothing there: there is none.
      expect((await open.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { token: MASTER } })).statusCode).toBe(401);
    } finally {
      await open.app.close();
      open.keys.close();
    }
  });

  it('refuses keystrokes with a NUL, none at all, or more than 4096 characters', async () => {
    for (const data of ['a\0b', '', 'x'.repeat(4097)]) {
      const res = await built.app.inject({ method: 'POST', url: `/v1/sessions/${SESSION}/input`, payload: { data }, headers: { authorization: `Bearer ${MASTER}` } });
      expect(res.statusCode, JSON.stringify(data.slice(0, 8))).toBe(400);
      expect(res.json().error.code).toBe('INVALID_REQUEST');
    }
  });
});

describe("the dashboard's static files", () => {
  const dashboardDir = mkdtempSync(join(tmpdir(), 'aegis-static-'));
  let built: Built;

  beforeAll(async () => {
    mkdirSync(join(dashboardDir, 'assets'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>stub</title>');
    writeFileSync(join(dashboardDir, 'assets', 'app-ABCD1234.js'), 'export {};');
    writeFileSync(join(dashboardDir, 'assets', 'plain.css'), 'body{}');
    writeFileSync(join(dashboardDir, 'assets', '.hidden'), 'no');
    built = await build({ authToken: MASTER, dashboardDir });
  });
  afterAll(async () => {
    await built?.app.close();
    built?.keys.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('serves the page without credentials, never cached, under the strict policy', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>stub</title>');
    expect(res.headers).toMatchObject({
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
  });

  it('caches hashed assets for a year and others not at all, and serves nothing outside the assets', async () => {
    const hashed = await built.app.inject({ method: 'GET', url: '/assets/app-ABCD1234.js' });
    expect(hashed.statusCode).toBe(200);
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(hashed.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const plain = await built.app.inject({ method: 'GET', url: '/assets/plain.css' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache');
    for (const url of ['/assets/missing-ABCD1234.js', '/assets/.hidden', '/assets/..%2findex.html', '/assets/%2e%2e/index.html', '/assets/../../etc/passwd']) {
      const res = await built.app.inject({ method: 'GET', url });
      // A path that climbs out is refused as such (403), not found, or taken for an unknown route (401 without credentials); nothing is sent.
      expect([401, 403, 404], url).toContain(res.statusCode);
      expect(res.headers['cache-control'], url).toBe('no-store');
      expect(res.json().error.code, url).toMatch(/^(NOT_FOUND|FORBIDDEN|INVALID_REQUEST|UNAUTHORIZED)$/);
      expect(res.body, url).not.toContain('stub');
    }
  });

  it('says how to build the dashboard when there is no build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aegis-unbuilt-'));
    const unbuilt = await build({ authToken: MASTER, dashboardDir: empty });
    try {
      const res = await unbuilt.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatchObject({ code: 'DASHBOARD_NOT_BUILT', message: expect.stringContaining('npm run build') });
      expect((await unbuilt.app.inject({ method: 'GET', url: '/assets/app-ABCD1234.js' })).statusCode).toBe(404);
    } finally {
      await unbuilt.app.close();
      unbuilt.keys.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
