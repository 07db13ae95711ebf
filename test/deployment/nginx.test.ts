/**
 * The nginx configuration of docs/deployment.md, run by a real nginx in front of a live daemon: TLS,
 * event streams and the terminal stream passed on as they are written (the stream location matching
 * every SSE route of the daemon and no other), the client's address reaching the daemon (and a
 * forged X-Forwarded-For not), hook calls cut off at the proxy, oversized bodies refused in Aegis's
 * envelope, plain HTTP redirected. Clients connect from 127.0.0.2, so the client's address differs
 * from nginx's own (127.0.0.1) as the daemon sees it.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { request as plainRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_ACCESS, SSE_ROUTES } from '../../src/http/route-scopes.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { documentedNginxConfig, startNginx, type TestNginx } from '../support/nginx.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor, within } from '../support/wait-for.js';

const TOKEN = 'nginx-test-token-0123456789abcdef';
const CLIENT_ADDRESS = '127.0.0.2';
const PUBLIC_NAME = 'aegis.example.com';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

describe("the documented nginx configuration's stream location", () => {
  it('matches every SSE route of the daemon (the terminal stream included) and no other route', () => {
    const patterns = [...documentedNginxConfig().matchAll(/^\s*location ~ (\S+) \{$/gm)].map((m) => m[1]!);
    expect(patterns).toHaveLength(1);
    // This pattern is the same in PCRE (nginx) and JavaScript.
    const streams = new RegExp(patterns[0]!);
    for (const route of Object.keys(ROUTE_ACCESS)) {
      const [method, path] = route.split(' ') as [string, string];
      const sample = path.replace(/:\w+/g, '0b7f6c1e-2d3a-4c5b-9e8f-1a2b3c4d5e6f').replace('*', 'main.js');
      expect(method === 'GET' && streams.test(sample), route).toBe(SSE_ROUTES.has(route));
    }
    expect(SSE_ROUTES).toContain('GET /v1/sessions/:id/terminal');
  });
});

describe('nginx in front of the daemon, configured as docs/deployment.md says', () => {
  let t: TestDaemon;
  let nginx: TestNginx;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), authToken: TOKEN, trustProxy: ['127.0.0.1'] }, logger });
    nginx = await startNginx(t.daemon.port);
  });
  afterAll(async () => {
    await nginx?.stop();
    await t?.close();
  });

  /** One request through nginx over TLS, trusting only the test's certificate, from CLIENT_ADDRESS. */
  function viaNginx(method: string, path: string, { body, headers = {} }: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
    return new Promise((resolveAnswer, reject) => {
      const req = request(
        {
          host: '127.0.0.1', port: nginx.httpsPort, path, method, ca: nginx.certificate, localAddress: CLIENT_ADDRESS, agent: false,
          headers: { host: PUBLIC_NAME, authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * An event stream through nginx, open (200, text/event-stream), each event handed to `onEvent` as it
   * arrives; the caller destroys the request to end it.
   */
  async function streamViaNginx(path: string, onEvent: (event: EventSourceMessage) => void, what: string): Promise<ClientRequest> {
    const parser = createParser({ onEvent });
    const stream = request({ host: '127.0.0.1', port: nginx.httpsPort, path, ca: nginx.certificate, localAddress: CLIENT_ADDRESS, agent: false, headers: { host: PUBLIC_NAME, authorization: `Bearer ${TOKEN}` } });
    const opened = new Promise<IncomingMessage>((resolveOpen, reject) => {
      stream.on('response', resolveOpen);
      stream.on('error', reject);
    });
    stream.end();
    try {
      const res = await within(opened, 10_000, what);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      res.on('data', (chunk: Buffer) => parser.feed(chunk.toString()));
      return stream;
    } catch (err) {
      stream.destroy();
      throw err;
    }
  }

  it('serves the API over TLS with the certificate it was given', async () => {
    const res = await viaNginx('GET', '/v1/sessions');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ sessions: [] });
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('passes each event of a stream on as the daemon writes it, with the stream still open', async () => {
    const events: { event: string | undefined; data: string }[] = [];
    const stream = await streamViaNginx('/v1/events', (e) => events.push({ event: e.event, data: e.data }), 'the stream to open through nginx');
    try {
      const created = await viaNginx('POST', '/v1/sessions', { body: JSON.stringify({ workDir: t.workDir() }) });
      expect(created.status).toBe(201);
      const { id } = JSON.parse(created.body) as { id: string };
      // A few hundred bytes: buffered, it would wait in nginx for kilobytes more, or the stream's end.
      await waitFor(() => events.some((e) => e.event === 'session_created' && e.data.includes(id)), { what: 'session_created through nginx' });
    } finally {
      stream.destroy();
    }
  });

  it("passes a session's terminal stream on through the stream location", async () => {
    const created = await viaNginx('POST', '/v1/sessions', { body: JSON.stringify({ workDir: t.workDir() }) });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body) as { id: string };
    const events: string[] = [];
    const stream = await streamViaNginx(`/v1/sessions/${id}/terminal`, (e) => events.push(e.event ?? 'message'), 'the terminal stream to open through nginx');
    try {
      await waitFor(() => events.includes('terminal_snapshot'), { what: 'terminal_snapshot through nginx' });
    } finally {
      stream.destroy();
    }
  });

  it("serves a page of the public name's own origin: the Host nginx passes on is that name", async () => {
    const res = await viaNginx('GET', '/v1/sessions', { headers: { origin: `https://${PUBLIC_NAME}` } });
    expect(res.status).toBe(200);
  });

  it("gives the daemon the client's address, not nginx's nor one the client wrote in X-Forwarded-For", async () => {
    const path = `/v1/sessions/${randomUUID()}`;
    const res = await viaNginx('GET', path, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(res.status).toBe(404);
    const logged = await waitFor(() => logLines.find((line) => line.msg === 'request' && line.url === path), { what: 'the request in the log' });
    expect(logged.ip).toBe(CLIENT_ADDRESS);
  });

  it('refuses hook calls at the proxy: to the daemon, everything from nginx comes from loopback', async () => {
    const res = await viaNginx('POST', '/v1/hooks/Stop?session=x', { body: '{}', headers: { 'x-aegis-hook-secret': 'guess' } });
    expect(res.status).toBe(404);
    expect(logLines.some((line) => String(line.url ?? '').startsWith('/v1/hooks/') || line.msg === 'refused a hook call without loopback origin or secret')).toBe(false);
  });

  it("refuses a body over 4 MiB at the proxy, in Aegis's error envelope", async () => {
    const res = await viaNginx('POST', '/v1/sessions', { body: Buffer.alloc(4 * 1024 * 1024 + 1, ' ') });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const res = await new Promise<IncomingMessage>((resolveAnswer, reject) => {
      const req = plainRequest({ host: '127.0.0.1', port: nginx.httpPort, path: '/v1/health', localAddress: CLIENT_ADDRESS, agent: false, headers: { host: PUBLIC_NAME } }, (r) => {
        r.resume();
        resolveAnswer(r);
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`https://${PUBLIC_NAME}/v1/health`);
  });
});
