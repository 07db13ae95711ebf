/**
 * Requests that fail before any route runs (in Node's HTTP parser or in fastify's router) still get
 * an answer in the error envelope with a fitting status, never a bare framework body, and the daemon
 * stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { rawExchange } from '../support/raw-http.js';

describe('errors raised by the HTTP machinery', () => {
  let t: TestDaemon;
  let port: number;
  beforeAll(async () => {
    t = await startTestDaemon();
    port = t.daemon.port;
  });
  afterAll(async () => {
    await t?.close();
  });

  // The daemon's port is known only once it runs: each request is written when its test runs.
  const head = (line: string, ...headers: string[]) => `${line}\r\nHost: 127.0.0.1:${port}\r\n${headers.map((h) => `${h}\r\n`).join('')}`;

  it.each([
    ['bad percent-encoding in the path', () => head('GET /v1/sessions/%zz HTTP/1.1', 'Connection: close') + '\r\n', 400, 'INVALID_REQUEST'],
    ['a path segment longer than the router takes', () => head(`GET /v1/sessions/${'a'.repeat(5000)} HTTP/1.1`, 'Connection: close') + '\r\n', 400, 'INVALID_REQUEST'],
    ['a Content-Length that is not a number', () => head('POST /v1/sessions HTTP/1.1', 'Content-Length: abc') + '\r\n{}', 400, 'INVALID_REQUEST'],
    ['two different Content-Lengths', () => head('POST /v1/sessions HTTP/1.1', 'Content-Length: 2', 'Content-Length: 3') + '\r\n{}', 400, 'INVALID_REQUEST'],
    ['Content-Length together with chunked encoding', () => head('POST /v1/sessions HTTP/1.1', 'Content-Length: 2', 'Transfer-Encoding: chunked') + '\r\n2\r\n{}\r\n0\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['a chunk size that is not hex', () => head('POST /v1/sessions HTTP/1.1', 'Transfer-Encoding: chunked') + '\r\nzz\r\n{}\r\n0\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['a transfer encoding other than chunked', () => head('POST /v1/sessions HTTP/1.1', 'Transfer-Encoding: gzip') + '\r\n{}', 400, 'INVALID_REQUEST'],
    ['a request line that is not HTTP', () => 'GARBAGE\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['headers over 16 KiB', () => head('GET /v1/sessions HTTP/1.1', `X-Big: ${'a'.repeat(20_000)}`) + '\r\n', 431, 'HEADERS_TOO_LARGE'],
    ['a URL over 16 KiB', () => head(`GET /v1/sessions?status=${'a'.repeat(20_000)} HTTP/1.1`) + '\r\n', 431, 'HEADERS_TOO_LARGE'],
    ['an Expect the daemon cannot meet', () => head('POST /v1/sessions HTTP/1.1', 'Expect: teapot', 'Content-Length: 2', 'Connection: close') + '\r\n{}', 417, 'EXPECTATION_FAILED'],
    ['a chunked body over 4 MiB', () => head('POST /v1/sessions HTTP/1.1', 'Transfer-Encoding: chunked', 'Connection: close') + `\r\n${(5 * 1024 * 1024).toString(16)}\r\n${'a'.repeat(5 * 1024 * 1024)}\r\n0\r\n\r\n`, 413, 'PAYLOAD_TOO_LARGE'],
  ])('answers %s in the error envelope, not with a bare framework body', async (_what, bytes, status, code) => {
    const res = await rawExchange(port, bytes());
    expect(res.status, res.raw.slice(0, 300)).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json, res.text.slice(0, 300)).toEqual({ error: { code, message: expect.any(String), ...(res.json?.error?.details ? { details: expect.any(Object) } : {}) } });
    expect(Object.keys(res.json.error)).not.toContain('statusCode');
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
  });

  it.each([
    ['bad percent-encoding in the path', () => head('GET /v1/sessions/%zz HTTP/1.1', 'Connection: close') + '\r\n'],
    ['a path segment longer than the router takes', () => head(`GET /v1/sessions/${'a'.repeat(5000)} HTTP/1.1`, 'Connection: close') + '\r\n'],
    ['a request line that is not HTTP', () => 'GARBAGE\r\n\r\n'],
    ['headers over 16 KiB', () => head('GET /v1/sessions HTTP/1.1', `X-Big: ${'a'.repeat(20_000)}`) + '\r\n'],
    ['an Expect the daemon cannot meet', () => head('POST /v1/sessions HTTP/1.1', 'Expect: teapot', 'Content-Length: 2', 'Connection: close') + '\r\n{}'],
  ])('answers %s with the headers every answer carries', async (_what, bytes) => {
    const res = await rawExchange(port, bytes());
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
    });
  });
});
