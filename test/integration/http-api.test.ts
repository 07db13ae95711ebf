import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

describe('the /v1 API without Claude', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /v1/health with status, version, uptime, sessions and tmux', async () => {
    const res = await t.api('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', version: expect.any(String), uptimeSeconds: expect.any(Number), sessions: { active: 0, total: 0 }, tmux: { healthy: true, version: expect.stringMatching(/^\d+\.\d+/) } });
  });

  it('returns 400 INVALID_REQUEST naming each bad field', async () => {
    const res = await t.api('POST', '/v1/sessions', { workDir: 'relative/path', permissionMode: 'yolo', env: { A: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['workDir', 'permissionMode', 'env.A']));
  });

  it('returns 400 for a missing body, a non-JSON body and unknown fields', async () => {
    const missing = await t.api('POST', '/v1/sessions');
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('INVALID_REQUEST');
    const broken = await t.api('POST', '/v1/sessions', '{"workDir": ', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/not valid JSON/);
    const unknown = await t.api('POST', '/v1/sessions', { workDir: '/tmp', wrokDir: '/tmp' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.details.issues)).toContain('wrokDir');
  });

  it('returns 400 naming workDir when it does not exist or is a file', async () => {
    const res = await t.api('POST', '/v1/sessions', { workDir: '/nonexistent/aegis/dir' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([{ path: 'workDir', message: 'does not exist' }]);
    const file = await t.api('POST', '/v1/sessions', { workDir: '/etc/hostname' });
    expect(file.status).toBe(400);
    expect(file.body.error.details.issues[0].path).toBe('workDir');
  });

  it('refuses env variables a caller may not set', async () => {
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), env: { ANTHROPIC_BASE_URL: 'http://evil', AEGIS_HOOK_SECRET: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ENV_NOT_ALLOWED');
    expect(res.body.error.details.denied).toEqual(['ANTHROPIC_BASE_URL', 'AEGIS_HOOK_SECRET']);
  });

  it.each([
    ['GET', '/v1/sessions/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/v1/sessions/00000000-0000-4000-8000-000000000000'],
    ['POST', '/v1/sessions/00000000-0000-4000-8000-000000000000/send'],
    ['GET', '/v1/sessions/00000000-0000-4000-8000-000000000000/read'],
    ['GET', '/v1/sessions/00000000-0000-4000-8000-000000000000/pane'],
    ['POST', '/v1/sessions/00000000-0000-4000-8000-000000000000/interrupt'],
    ['POST', '/v1/sessions/00000000-0000-4000-8000-000000000000/escape'],
    ['GET', '/v1/sessions/00000000-0000-4000-8000-000000000000/events'],
  ])('returns 404 SESSION_NOT_FOUND for %s %s', async (method, path) => {
    const res = await t.api(method, path, method === 'POST' ? { text: 'hi' } : undefined);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('SESSION_NOT_FOUND');
  });

  it('returns 404 in the envelope for an unknown route', async () => {
    const res = await t.api('GET', '/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('/v1/nope') });
  });

  it('returns 413 for a body over the limit', async () => {
    const res = await t.api('POST', '/v1/sessions', { workDir: '/tmp', prompt: 'x'.repeat(5 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('lists sessions, filtered by a valid status, and rejects an unknown status', async () => {
    expect((await t.api('GET', '/v1/sessions')).body).toEqual({ sessions: [] });
    expect((await t.api('GET', '/v1/sessions?status=idle')).body).toEqual({ sessions: [] });
    const bad = await t.api('GET', '/v1/sessions?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('status');
  });

  it('answers /v1/sessions/health with totals', async () => {
    const res = await t.api('GET', '/v1/sessions/health');
    expect(res.body).toEqual({ total: 0, byStatus: {}, stalled: [], idleSeconds: {} });
  });

  it('refuses hook calls without the session secret', async () => {
    const res = await t.hookApi('POST', '/v1/hooks/Stop?session=00000000-0000-4000-8000-000000000000', { hook_event_name: 'Stop' }, { 'x-aegis-hook-secret': 'guess' });
    expect(res.status).toBe(401);
    const none = await t.hookApi('POST', '/v1/hooks/Stop?session=x', {});
    expect(none.status).toBe(401);
  });

  it('the hook route answers 404 on the API port, and the hook port serves nothing else', async () => {
    const onApi = await t.api('POST', '/v1/hooks/Stop?session=00000000-0000-4000-8000-000000000000', { hook_event_name: 'Stop' }, { 'x-aegis-hook-secret': 'guess' });
    expect(onApi.status).toBe(404);
    expect(onApi.body.error.code).toBe('NOT_FOUND');
    expect(new URL(t.hookUrl)).toMatchObject({ hostname: '127.0.0.1' });
    expect(new URL(t.hookUrl).port).not.toBe(new URL(t.url).port);
    for (const path of ['/v1/health', '/v1/sessions', '/v1/events']) expect((await t.hookApi('GET', path)).status).toBe(404);
  });
});

describe('a daemon with a master token', () => {
  let t: TestDaemon;
  const token = 'aegis-test-master-token-0123456789';
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: token } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves /v1/health without credentials and refuses other routes with 401', async () => {
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
    const res = await t.api('GET', '/v1/sessions');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect((await t.api('GET', '/v1/sessions', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('accepts the token as a bearer header only, never in a query string; SSE routes take an SSE token there', async () => {
    expect((await t.api('GET', '/v1/sessions', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await t.api('GET', `/v1/sessions?token=${token}`)).status).toBe(401);
    expect((await t.api('GET', `/v1/events?token=${token}`)).status).toBe(401);
    const { body } = await t.api('POST', '/v1/auth/sse-token', undefined, { authorization: `Bearer ${token}` });
    const controller = new AbortController();
    const res = await fetch(`${t.url}/v1/events?token=${body.token}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    controller.abort();
  });
});

describe('startup', () => {
  it('refuses to listen on a non-loopback address without a token', async () => {
    await expect(startTestDaemon({ config: { host: '0.0.0.0' } })).rejects.toThrow(/without AEGIS_AUTH_TOKEN/);
  });

  it('fails with a clear EADDRINUSE message when the port is taken', async () => {
    const first = await startTestDaemon();
    try {
      await expect(startTestDaemon({ config: { port: first.daemon.port } })).rejects.toThrow(/EADDRINUSE: .* already in use/);
    } finally {
      await first.close();
    }
  });
});
