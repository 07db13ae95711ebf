/**
 * Answers the contract documents that only an unusual moment produces: an unexpected failure inside a
 * route is a 500 INTERNAL whose body hides the failure, and diagnostics with an auth token set never
 * show the token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

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

  it('never shows the auth token in diagnostics', async () => {
    t = await startTestDaemon({ config: { authToken: TOKEN } });
    const res = await t.api('GET', '/v1/diagnostics', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.body.config.authToken).toBe('[redacted]');
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN.slice(8, 24));
  });
});
