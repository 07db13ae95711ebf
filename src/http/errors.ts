/**
 * One error handler for the whole API: typed errors, fastify's own errors and anything unexpected
 * all leave in the contract's envelope `{"error": {"code", "message", "details"}}`. The core turns its
 * dependencies' failures (tmux's) into typed errors itself, so this layer knows only typed errors. A
 * 5xx that was not expected is logged and its details are hidden from the caller.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AegisError, type ErrorCode } from '../errors.js';

/** What `Retry-After` says to a request the stopping daemon refuses: a restart takes about this long. */
export const SHUTTING_DOWN_RETRY_SECONDS = 2;

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string, details?: Record<string, unknown>): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message, ...(details ? { details } : {}) } });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AegisError | Error, request, reply) => {
    if (err instanceof AegisError) {
      if (err.status >= 500) request.log.warn({ code: err.code, err: err.message }, 'request failed');
      if (err.status === 429 && typeof err.details?.retryAfterSeconds === 'number') reply.header('retry-after', String(err.details.retryAfterSeconds));
      // The daemon is stopping: a caller (a held hook call, Claude) tries again once it is back.
      if (err.code === 'SHUTTING_DOWN') reply.header('connection', 'close').header('retry-after', String(SHUTTING_DOWN_RETRY_SECONDS));
      return sendError(reply, err.status, err.code, err.message, err.details);
    }
    const fastifyError = err as FastifyError;
    switch (fastifyError.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', 'the request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendError(reply, 400, 'INVALID_REQUEST', fastifyError.message, { issues: [{ path: 'body', message: fastifyError.message }] });
    }
    if (fastifyError.statusCode === 429) {
      return sendError(reply, 429, 'RATE_LIMITED', fastifyError.message || 'too many requests');
    }
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return sendError(reply, fastifyError.statusCode, 'INVALID_REQUEST', fastifyError.message, { issues: [{ path: 'body', message: fastifyError.message }] });
    }
    request.log.error({ err }, 'unexpected error');
    return sendError(reply, 500, 'INTERNAL', 'internal error; the daemon log has the details');
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
}
