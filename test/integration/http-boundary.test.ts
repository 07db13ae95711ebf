/**
 * Who may reach the daemon at all: web pages of other origins and requests for foreign host names
 * (DNS rebinding) are refused before any route runs, with or without a token; what the daemon's own
 * clients send (curl, the CLI, Claude's hooks) keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { request as httpRequest } from 'node:http';
import { request } from '../support/raw-http.js';

const EVIL = 'https://evil.example';

describe('a daemon without a token', () => {
  let t: TestDaemon;
  let host: string;
  beforeAll(async () => {
    t = await startTestDaemon();
    host = `127.0.0.1:${t.daemon.port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a text/plain POST from a web page of another origin with 403 instead of starting a session', async () => {
    const res = await request(`${t.url}/v1/sessions`, {
      method: 'POST',
      headers: { host, origin: EVIL, 'content-type': 'text/plain' },
      body: JSON.stringify({ workDir: t.workDir() }),
    });
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('allowedOrigins'), details: { origin: EVIL } });
    expect((await t.api('GET', '/v1/sessions')).body.sessions).toEqual([]);
  });

  it('refuses a request for a host name that is not loopback (DNS rebinding) with 403 naming the host', async () => {
    const res = await request(`${t.url}/v1/sessions`, { headers: { host: `rebind.evil.example:${t.daemon.port}` } });
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('allowedHosts'), details: { host: `rebind.evil.example:${t.daemon.port}` } });
  });

  it('refuses a foreign origin even when it claims the same host name', async () => {
    const res = await request(`${t.url}/v1/sessions`, { headers: { host: `evil.example:${t.daemon.port}`, origin: `http://evil.example:${t.daemon.port}` } });
    expect(res.status).toBe(403);
  });

  it.each(['127.0.0.1', 'localhost', '[::1]'])('serves requests for the loopback name %s on any port', async (name) => {
    for (const hostHeader of [`${name}:${t.daemon.port}`, name, `${name}:1`]) {
      const res = await request(`${t.url}/v1/sessions`, { headers: { host: hostHeader } });
      expect(res.status, hostHeader).toBe(200);
    }
  });

  it("serves a browser page of the daemon's own origin, and refuses one of another loopback origin", async () => {
    const same = await request(`${t.url}/v1/sessions`, { headers: { host, origin: `http://${host}` } });
    expect(same.status).toBe(200);
    const other = await request(`${t.url}/v1/sessions`, { headers: { host, origin: 'http://localhost:3000' } });
    expect(other.status).toBe(403);
    expect(other.json.error.details).toEqual({ origin: 'http://localhost:3000' });
    const opaque = await request(`${t.url}/v1/sessions`, { headers: { host, origin: 'null' } });
    expect(opaque.status).toBe(403);
  });

  it('still reads a body sent without a JSON content type (curl -d) as JSON', async () => {
    const res = await request(`${t.url}/v1/sessions`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ workDir: '/nonexistent/aegis/dir' }),
    });
    expect(res.status).toBe(400);
    expect(res.json.error.details.issues).toEqual([{ path: 'workDir', message: 'does not exist' }]);
  });

  it('refuses /v1/health to a page of another origin and to a foreign host name too', async () => {
    expect((await request(`${t.url}/v1/health`, { headers: { host } })).status).toBe(200);
    expect((await request(`${t.url}/v1/health`, { headers: { host, origin: EVIL } })).status).toBe(403);
    expect((await request(`${t.url}/v1/health`, { headers: { host: 'rebind.evil.example' } })).status).toBe(403);
  });

  it('refuses a hook call that carries a foreign Origin before looking at its secret', async () => {
    const res = await request(`${t.hookUrl}/v1/hooks/Stop?session=x`, { method: 'POST', headers: { host, origin: EVIL, 'x-aegis-hook-secret': 'guess' }, body: '{}' });
    expect(res.status).toBe(403);
  });
});

describe('a daemon with allowedOrigins and allowedHosts', () => {
  let t: TestDaemon;
  const dashboard = 'http://dashboard.example:3000';
  beforeAll(async () => {
    t = await startTestDaemon({ config: { allowedOrigins: [dashboard], allowedHosts: ['aegis.internal', 'proxy.internal:8443'] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves a configured origin, lets it read the answer (CORS) and answers its preflight', async () => {
    const res = await request(`${t.url}/v1/sessions`, { headers: { host: `127.0.0.1:${t.daemon.port}`, origin: dashboard } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(dashboard);
    // Its page reads refusals too.
    const missing = await request(`${t.url}/v1/sessions/no-such-session`, { headers: { host: `127.0.0.1:${t.daemon.port}`, origin: dashboard } });
    expect(missing.status).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe(dashboard);
    const preflight = await request(`${t.url}/v1/sessions`, {
      method: 'OPTIONS',
      headers: { host: `127.0.0.1:${t.daemon.port}`, origin: dashboard, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(dashboard);
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    const foreignPreflight = await request(`${t.url}/v1/sessions`, { method: 'OPTIONS', headers: { host: `127.0.0.1:${t.daemon.port}`, origin: EVIL, 'access-control-request-method': 'POST' } });
    expect(foreignPreflight.status).toBe(403);
    expect(foreignPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("lets a configured origin read an event stream, which carries every answer's headers", async () => {
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = httpRequest(`${t.url}/v1/events`, { headers: { host: `127.0.0.1:${t.daemon.port}`, origin: dashboard }, setHost: false }, (res) => {
        resolve(res.headers);
        res.destroy();
      });
      req.on('error', reject);
      req.end();
    });
    expect(headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'access-control-allow-origin': dashboard, vary: 'Origin', 'x-content-type-options': 'nosniff' });
  });

  it('serves a configured host name on any port, and one configured with a port only on that port', async () => {
    expect((await request(`${t.url}/v1/sessions`, { headers: { host: 'aegis.internal' } })).status).toBe(200);
    expect((await request(`${t.url}/v1/sessions`, { headers: { host: 'AEGIS.internal:9100' } })).status).toBe(200);
    expect((await request(`${t.url}/v1/sessions`, { headers: { host: 'proxy.internal:8443' } })).status).toBe(200);
    expect((await request(`${t.url}/v1/sessions`, { headers: { host: 'proxy.internal:9100' } })).status).toBe(403);
  });
});

describe('a daemon with a token', () => {
  let t: TestDaemon;
  const token = 'aegis-test-master-token-0123456789';
  const auth = { authorization: `Bearer ${token}` };
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: token } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a page of another origin although it holds the token', async () => {
    const res = await request(`${t.url}/v1/sessions`, { headers: { ...auth, host: `127.0.0.1:${t.daemon.port}`, origin: EVIL } });
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', details: { origin: EVIL } });
  });

  it("refuses what a page of another site makes a browser request without an Origin (an image, a link) before reading its credentials, so it cannot lock the browser's address out", async () => {
    // Another site's page, or one of another port of the same host (same-site, and sent the cookie).
    for (const site of ['cross-site', 'same-site']) {
      for (let i = 0; i < 6; i++) {
        const res = await request(`${t.url}/v1/events?token=junk${i}`, { headers: { 'sec-fetch-site': site, 'sec-fetch-mode': i % 2 ? 'no-cors' : 'navigate', 'sec-fetch-dest': i % 2 ? 'image' : 'document' } });
        expect(res.status).toBe(403);
        expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', details: { secFetchSite: site } });
      }
    }
    expect((await request(`${t.url}/v1/sessions`, { headers: auth })).status).toBe(200);
  });

  it("still opens the dashboard's page from a link on another site, and serves the page's own requests", async () => {
    const page = await request(`${t.url}/`, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } });
    expect(page.status).not.toBe(403);
    const own = await request(`${t.url}/v1/sessions`, { headers: { ...auth, host: `127.0.0.1:${t.daemon.port}`, origin: `http://127.0.0.1:${t.daemon.port}`, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
    const typed = await request(`${t.url}/v1/sessions`, { headers: { ...auth, 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' } });
    expect(typed.status).toBe(200);
  });

  it('serves any host name: the token, not the name, is what it trusts', async () => {
    expect((await request(`${t.url}/v1/sessions`, { headers: { ...auth, host: 'aegis.example.com' } })).status).toBe(200);
    expect((await request(`${t.url}/v1/sessions`, { headers: { host: 'aegis.example.com' } })).status).toBe(401);
  });
});
