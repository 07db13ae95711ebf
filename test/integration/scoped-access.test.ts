/**
 * Scoped access on a real daemon: API keys kept only as hashes and surviving a restart, rotation with
 * a grace time, revocation that ends the key's streams, sessions that only their key sees and drives,
 * a key's work dir roots and session cap, SSE tokens, and the lockout of an address that guesses.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_WITHOUT_SESSION_USER } from '../../src/config/session-user.js';
import { createLogger } from '../../src/log.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse } from '../support/sse.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const MASTER = 'scoped-access-master-token-0123456789';
const master = { authorization: `Bearer ${MASTER}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Everything the first daemon logs, at every level. */
let logText = '';
const captured = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logText += chunk.toString();
    done();
  },
});
/** Every secret the tests below handle; none may reach the log. */
const secrets = new Set<string>([MASTER]);

describe('API keys and ownership', () => {
  let t: TestDaemon;
  let allowed = '';
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: MASTER, claudeCommand: standInClaude(), maxSseStreamsPerKey: 2 }, logger: createLogger('trace', captured) });
    allowed = t.workDir('allowed');
  });
  afterAll(async () => {
    await t?.close();
  });

  const createKey = async (body: Record<string, unknown>) => {
    const res = await t.api('POST', '/v1/auth/keys', body, master);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    secrets.add(res.body.key);
    return res.body as { id: string; key: string; scopes: string[] };
  };

  it('warns at start when it runs as root without sessionUser, and only then', () => {
    const warnings = logText.split('\n').filter((line) => line.includes(ROOT_WITHOUT_SESSION_USER));
    expect(warnings).toHaveLength(process.getuid?.() === 0 ? 1 : 0);
    if (warnings.length > 0) expect(JSON.parse(warnings[0]!).level).toBe(40);
  });

  it('shows a key once, stores only its SHA-256, and keeps it across a restart', async () => {
    const made = await createKey({ name: 'ci-bot', role: 'operator' });
    expect(made.key).toMatch(/^aeg_[A-Za-z0-9_-]{43}$/);
    expect(made.scopes).toEqual(['sessions:read', 'sessions:write', 'permissions:write', 'metrics:read', 'memory:read', 'memory:write']);
    const listed = (await t.api('GET', '/v1/auth/keys', undefined, master)).body.keys;
    expect(JSON.stringify(listed)).not.toContain(made.key);
    expect(listed.find((k: { id: string }) => k.id === made.id)).not.toHaveProperty('key');

    expect((await t.api('GET', '/v1/sessions', undefined, bearer(made.key))).status).toBe(200);
    await t.stop();
    const db = new Database(join(t.config.stateDir, 'aegis.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
      const row = rows.find((r) => r.id === made.id)!;
      expect(JSON.stringify(rows)).not.toContain(made.key);
      expect(JSON.stringify(rows)).not.toContain(made.key.slice(4));
      expect(row.secret_hash).toBe(createHash('sha256').update(made.key).digest('hex'));
      expect(row.use_count).toBe(1);
    } finally {
      db.close();
    }
    await t.restart();
    expect((await t.api('GET', '/v1/sessions', undefined, bearer(made.key))).status).toBe(200);
  });

  it('keeps the replaced secret working through its grace time, and not at all with none', async () => {
    const made = await createKey({ name: 'rotating', role: 'viewer' });
    const rotated = (await t.api('POST', `/v1/auth/keys/${made.id}/rotate`, { graceSeconds: 600 }, master)).body;
    expect(rotated.key).not.toBe(made.key);
    secrets.add(rotated.key);
    expect(Date.parse(rotated.graceUntil)).toBeGreaterThan(Date.now());
    expect((await t.api('GET', '/v1/sessions', undefined, bearer(made.key))).status).toBe(200);
    expect((await t.api('GET', '/v1/sessions', undefined, bearer(rotated.key))).status).toBe(200);
    const again = (await t.api('POST', `/v1/auth/keys/${made.id}/rotate`, { graceSeconds: 0 }, master)).body;
    secrets.add(again.key);
    expect((await t.api('GET', '/v1/sessions', undefined, bearer(rotated.key))).status).toBe(401);
    expect((await t.api('GET', '/v1/sessions', undefined, bearer(again.key))).status).toBe(200);
  });

  it("hides a key's sessions from another key: list, get, read, pane, events, approve, delete", async () => {
    const a = await createKey({ name: 'a', role: 'operator' });
    const b = await createKey({ name: 'b', role: 'operator' });
    const bEvents = await openSse(`${t.url}/v1/events`, bearer(b.key));
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, bearer(a.key));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.ownerKeyId).toBe(a.id);

    expect((await t.api('GET', '/v1/sessions', undefined, bearer(a.key))).body.sessions.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await t.api('GET', '/v1/sessions', undefined, bearer(b.key))).body.sessions).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/v1/sessions/${id}`],
      ['GET', `/v1/sessions/${id}/read`],
      ['GET', `/v1/sessions/${id}/pane`],
      ['GET', `/v1/sessions/${id}/events`],
      ['GET', `/v1/sessions/${id}/permissions`],
      ['POST', `/v1/sessions/${id}/approve`, {}],
      ['POST', `/v1/sessions/${id}/send`, { text: 'hello' }],
      ['DELETE', `/v1/sessions/${id}`],
    ] as const) {
      const res = await t.api(method, path, body, bearer(b.key));
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('SESSION_NOT_FOUND');
    }
    // The owner and the master token see it; its events reach the owner's stream, not the other key's.
    expect((await t.api('GET', `/v1/sessions/${id}`, undefined, master)).status).toBe(200);
    const aEvents = await openSse(`${t.url}/v1/events`, bearer(a.key));
    await t.api('DELETE', `/v1/sessions/${id}`, undefined, bearer(a.key));
    await aEvents.waitFor((e) => e.event === 'session_exited' && e.data.sessionId === id);
    expect(bEvents.events.filter((e) => e.data.sessionId === id)).toEqual([]);
    aEvents.close();
    bEvents.close();
  });

  it('lets a key that cannot start sessions oversee every one under its roots: an approver decides, a viewer reads', async () => {
    const bot = await createKey({ name: 'bot', role: 'operator' });
    const approver = await createKey({ name: 'person', role: 'approver' });
    const viewer = await createKey({ name: 'team-viewer', role: 'viewer', allowedWorkdirs: [allowed] });
    const approverEvents = await openSse(`${t.url}/v1/events`, bearer(approver.key));
    const inside = (await t.api('POST', '/v1/sessions', { workDir: t.workDir('allowed/team'), name: 'inside' }, bearer(bot.key))).body.id as string;
    const outside = (await t.api('POST', '/v1/sessions', { workDir: t.workDir('other-team'), name: 'outside' }, bearer(bot.key))).body.id as string;

    const listed = async (key: string) => ((await t.api('GET', '/v1/sessions', undefined, bearer(key))).body.sessions as { id: string }[]).map((s) => s.id);
    expect(await listed(approver.key)).toEqual(expect.arrayContaining([inside, outside]));
    expect(await listed(viewer.key)).toContain(inside);
    expect(await listed(viewer.key)).not.toContain(outside);
    expect((await t.api('GET', `/v1/sessions/${outside}`, undefined, bearer(viewer.key))).status).toBe(404);
    expect((await t.api('GET', `/v1/sessions/${inside}/read`, undefined, bearer(viewer.key))).status).toBe(200);

    // The approver reaches the decision (nothing is pending: 409, not 404) and nothing else.
    const approve = await t.api('POST', `/v1/sessions/${inside}/approve`, {}, bearer(approver.key));
    expect(approve.status).toBe(409);
    expect(approve.body.error.code).toBe('NOTHING_PENDING');
    const send = await t.api('POST', `/v1/sessions/${inside}/send`, { text: 'hello' }, bearer(approver.key));
    expect(send.status).toBe(403);
    expect(send.body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: 'sessions:write' } });
    expect((await t.api('POST', `/v1/sessions/${inside}/approve`, {}, bearer(viewer.key))).status).toBe(403);

    // Its stream carries the bot's sessions; the bot's sessions stay the bot's.
    await t.api('DELETE', `/v1/sessions/${inside}`, undefined, bearer(bot.key));
    await approverEvents.waitFor((e) => e.event === 'session_exited' && e.data.sessionId === inside);
    approverEvents.close();
    await t.api('DELETE', `/v1/sessions/${outside}`, undefined, bearer(bot.key));
  });

  it("keeps a key's sessions under its allowedWorkdirs and its maxSessions", async () => {
    const limited = await createKey({ name: 'limited', role: 'operator', allowedWorkdirs: [allowed], maxSessions: 1 });
    const outside = await t.api('POST', '/v1/sessions', { workDir: t.workDir('elsewhere') }, bearer(limited.key));
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('WORKDIR_NOT_ALLOWED');
    const first = await t.api('POST', '/v1/sessions', { workDir: allowed }, bearer(limited.key));
    expect(first.status).toBe(201);
    const second = await t.api('POST', '/v1/sessions', { workDir: t.workDir('allowed/sub'), name: 'second' }, bearer(limited.key));
    expect(second.status).toBe(503);
    expect(second.body.error).toMatchObject({ code: 'MAX_SESSIONS', details: { maxSessions: 1, keyId: limited.id } });
    await t.api('DELETE', `/v1/sessions/${first.body.id}`, undefined, bearer(limited.key));
    expect((await t.api('POST', '/v1/sessions', { workDir: t.workDir('allowed/sub') }, bearer(limited.key))).status).toBe(201);
  });

  it('refuses a revoked key at its next request and ends its event streams at once', async () => {
    const made = await createKey({ name: 'revoked', role: 'viewer' });
    const controller = new AbortController();
    const stream = await fetch(`${t.url}/v1/events`, { headers: bearer(made.key), signal: controller.signal });
    expect(stream.status).toBe(200);
    const ended = (async () => {
      for await (const _ of stream.body as unknown as AsyncIterable<Uint8Array>) {
        // read until the daemon ends the stream
      }
    })().then(
      () => 'ended',
      () => 'ended',
    );
    expect((await t.api('DELETE', `/v1/auth/keys/${made.id}`, undefined, master)).status).toBe(200);
    expect(await ended).toBe('ended');
    const res = await t.api('GET', '/v1/sessions', undefined, bearer(made.key));
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/revoked/);
    controller.abort();
  });

  it('ends an event stream when its key expires, not at its next request', async () => {
    const made = await createKey({ name: 'short-lived', role: 'viewer', expiresInDays: 2 / 86_400 });
    const controller = new AbortController();
    const stream = await fetch(`${t.url}/v1/events`, { headers: bearer(made.key), signal: controller.signal });
    expect(stream.status).toBe(200);
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
    // (Its next request's 401 is left out: each counts towards this address's lockout.)
    expect(text).toContain(': the credentials of this stream expired');
    controller.abort();
  });

  it('trades credentials for an SSE token that opens one stream once, and takes no other token in a query', async () => {
    const viewer = await createKey({ name: 'sse', role: 'viewer' });
    const issued = await t.api('POST', '/v1/auth/sse-token', undefined, bearer(viewer.key));
    expect(issued.status).toBe(200);
    expect(issued.body.token).toMatch(/^aes_/);
    secrets.add(issued.body.token);
    expect(Date.parse(issued.body.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const first = await openSse(`${t.url}/v1/events?token=${issued.body.token}`);
    expect(first.status).toBe(200);
    first.close();
    expect((await t.api('GET', `/v1/events?token=${issued.body.token}`)).status).toBe(401);
    // Not a credential anywhere else, and no key in a query string on an SSE route either.
    const again = (await t.api('POST', '/v1/auth/sse-token', undefined, bearer(viewer.key))).body.token;
    secrets.add(again);
    expect((await t.api('GET', `/v1/sessions?token=${again}`)).status).toBe(401);
    expect((await t.api('GET', `/v1/events?token=${viewer.key}`)).status).toBe(401);
  });
  it('lets a key hold a bounded number of event streams', async () => {
    const viewer = await createKey({ name: 'streams', role: 'viewer' });
    const streams = [await openSse(`${t.url}/v1/events`, bearer(viewer.key)), await openSse(`${t.url}/v1/events`, bearer(viewer.key))];
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    const third = await t.api('GET', '/v1/events', undefined, bearer(viewer.key));
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('RATE_LIMITED');
    expect(third.headers.get('retry-after')).not.toBeNull();
    for (const stream of streams) stream.close();
  });

  it('writes no secret to its log, URLs included', () => {
    expect(logText).toContain('refused a request');
    expect(logText).toContain('created an API key');
    for (const secret of secrets) expect(logText).not.toContain(secret);
  });
});

describe('lockout', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: MASTER, lockoutMs: 1500, trustProxy: ['loopback'] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an address after 5 bad tokens in a minute, good token or not, leaves others alone, and lets it back after the lock', async () => {
    const from = (ip: string, headers: Record<string, string>) => ({ ...headers, 'x-forwarded-for': ip });
    for (let i = 1; i <= 4; i++) expect((await t.api('GET', '/v1/sessions', undefined, from('192.0.2.7', bearer(`aeg_guess${i}`)))).status).toBe(401);
    const fifth = await t.api('GET', '/v1/sessions', undefined, from('192.0.2.7', bearer('aeg_guess5')));
    expect(fifth.status).toBe(429);
    const locked = await t.api('GET', '/v1/sessions', undefined, from('192.0.2.7', master));
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'locked_out' } });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.api('GET', '/v1/sessions', undefined, from('192.0.2.8', master))).status).toBe(200);
    await waitFor(async () => (await t.api('GET', '/v1/sessions', undefined, from('192.0.2.7', master))).status === 200, {
      timeoutMs: 10_000,
      what: 'the lock to end',
    });
  });
});
