/**
 * Answers the contract documents that only an unusual moment produces: an unexpected failure inside a
 * route is a 500 INTERNAL whose body hides the failure, a request that does not arrive whole in
 * `requestTimeoutMs` is a 408 REQUEST_TIMEOUT (on the API and on the hook listener, while an answer
 * that takes longer is never cut), and diagnostics with an auth token set never show the token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { rawExchange } from '../support/raw-http.js';
import { openSse } from '../support/sse.js';

const TOKEN = 'aegis-test-token-7f3c9d1e5b2a48c6';

describe('answers only an unusual moment produces', () => {
  let t: TestDaemon | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers an unexpected failure in a route with 500 INTERNAL, its details kept out of the answer', async () => {
    t = await startTestDaemon();
    t.daemon.supervisor.list = () => {
      throw new Error('secret-ish detail of a bug at /home/someone/.aegis');
    };
    const res = await t.api('GET', '/v1/sessions');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error; the daemon log has the details' } });
    expect(JSON.stringify(res.body)).not.toContain('secret-ish');
  });

  it('answers 408 REQUEST_TIMEOUT to a request that does not arrive whole in requestTimeoutMs, and never cuts a longer answer', async () => {
    t = await startTestDaemon({ config: { requestTimeoutMs: 1000 } });
    const stream = await openSse(`${t.daemon.url}/v1/events`);
    const apiPort = t.daemon.port;
    const hookPort = Number(new URL(t.hookUrl).port);
    const exchanges = [
      // Headers that never end, on the API and on the hook listener.
      [apiPort, `GET /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1:${apiPort}\r\n`],
      [hookPort, `POST /v1/hooks/Stop?session=x HTTP/1.1\r\nHost: 127.0.0.1:${hookPort}\r\n`],
      // A body that stops short of its Content-Length.
      [apiPort, `POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1:${apiPort}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"workDir"`],
    ] as const;
    for (const [port, bytes] of exchanges) {
      const res = await rawExchange(port, bytes);
      expect(res.status, res.raw.slice(0, 300)).toBe(408);
      expect(res.json).toEqual({ error: { code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' } });
    }
    // The stream's request arrived whole long ago: its answer goes on past the limit, several times over.
    t.daemon.bus.publish('stalled', 'after-the-limit', { silentMs: 0, thresholdMs: 0, action: 'notify' });
    await stream.waitFor((e) => e.event === 'stalled' && e.data.sessionId === 'after-the-limit');
    stream.close();
  });

  it('never shows the auth token in diagnostics', async () => {
    t = await startTestDaemon({ config: { authToken: TOKEN } });
    const res = await t.api('GET', '/v1/diagnostics', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.body.config.authToken).toBe('[redacted]');
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN.slice(8, 24));
  });
});
