/**
 * Errors raised before any route runs, answered in the same envelope as every other error: Node's
 * HTTP parser (a broken Content-Length or chunked body, headers over its size limit, a request that is
 * not HTTP, a request that takes too long to arrive), fastify's router (bad percent-encoding, an
 * overlong path segment), an `Expect` no one can meet, and requests that arrive while the daemon is
 * closing. None of them may reach a caller as a bare framework body, and none may stop the daemon.
 */
import { STATUS_CODES, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ErrorCode } from '../errors.js';
import { sendError, SHUTTING_DOWN_RETRY_SECONDS } from './errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** The headers every answer carries, as lines of a head written by hand. */
const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

function envelope(code: ErrorCode, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } });
}

/** Node's parser failed: no request object exists, so the answer is written to the socket by hand. */
function onClientError(this: FastifyInstance, err: NodeJS.ErrnoException & { reason?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let code: ErrorCode = 'INVALID_REQUEST';
  let message = `the request is not valid HTTP: ${err.reason ?? err.message}`;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    code = 'HEADERS_TOO_LARGE';
    message = "the request's headers, URL included, are larger than 16 KiB";
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    code = 'REQUEST_TIMEOUT';
    message = 'the request did not arrive in time';
  }
  this.log.debug({ code: err.code, reason: err.reason }, 'refused a request the HTTP parser could not read');
  const body = envelope(code, message, status === 400 ? { reason: err.code ?? 'unknown' } : undefined);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n${SECURITY_HEADER_LINES}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** fastify's router failed before a route was found (and before the hook that adds every answer's headers ran). */
function onFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(SECURITY_HEADERS);
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      sendError(reply, 400, 'INVALID_REQUEST', 'the URL is not valid: it holds a % not followed by two hex digits, or bytes that are not UTF-8', {
        issues: [{ path: 'url', message: 'bad percent-encoding' }],
      });
      return;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      sendError(reply, 400, 'INVALID_REQUEST', 'the URL has a path segment longer than 100 characters; no id or name is that long', {
        issues: [{ path: 'url', message: 'path segment too long' }],
      });
      return;
    default:
      reply.log.error({ err: error }, 'unexpected framework error');
      sendError(reply, 500, 'INTERNAL', 'internal error; the daemon log has the details');
  }
}

/** The fastify options that route parser and router failures here. */
export const protocolErrorOptions: Pick<FastifyServerOptions, 'clientErrorHandler' | 'frameworkErrors' | 'return503OnClosing'> = {
  clientErrorHandler: onClientError,
  frameworkErrors: onFrameworkError,
  // fastify's own 503 while closing has its own body; ours is below.
  return503OnClosing: false,
};

/**
 * How long a request may take to arrive whole, headers and body (`requestTimeoutMs`): past it the
 * caller is answered `408 REQUEST_TIMEOUT` and its connection closed, so a slow sender holds no
 * connection for long. Node looks at its connections only every `connectionsCheckingInterval` (30 s
 * unless told), so it looks four times per limit, and a limit means what it says; fastify alone would
 * turn Node's limit off. The time a route takes to answer is not counted.
 */
export function requestTimeoutOptions(requestTimeoutMs: number): Pick<FastifyServerOptions, 'requestTimeout'> & { http: ServerOptions } {
  const connectionsCheckingInterval = Math.min(30_000, Math.max(100, Math.round(requestTimeoutMs / 4)));
  return { requestTimeout: requestTimeoutMs, http: { requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs, connectionsCheckingInterval } };
}

/** Hooks for what the options cannot reach: unmet expectations and requests during shutdown. */
export function installProtocolErrorHandling(app: FastifyInstance): void {
  // Without a listener Node answers an unknown Expect itself, with an empty 417.
  app.server.on('checkExpectation', (request, response) => {
    const body = envelope('EXPECTATION_FAILED', `the daemon cannot meet Expect: ${String(request.headers.expect)}; send the request without it`);
    response.writeHead(417, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close').header('retry-after', String(SHUTTING_DOWN_RETRY_SECONDS));
    return sendError(reply, 503, 'SHUTTING_DOWN', 'the daemon is shutting down; retry once it is back');
  });
}
