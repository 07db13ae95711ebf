/**
 * Where Claude's HTTP hooks call back. Only loopback callers holding the session's own secret are
 * heard; anything else is 401 and logged. A malformed body is 400 and never reaches the session.
 */
import type { FastifyInstance } from 'fastify';
import { hookPayloadSchema } from '../../claude/hook-payloads.js';
import { HOOK_EVENTS, HOOK_SECRET_HEADER, type HookEvent } from '../../claude/launch.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import { sendError } from '../errors.js';
import { parseInput } from '../validate.js';

export function hookRoutes(app: FastifyInstance, { supervisor }: { supervisor: Supervisor }): void {
  app.post<{ Params: { event: string }; Querystring: { session?: string } }>('/v1/hooks/:event', async (request, reply) => {
    const { event } = request.params;
    if (!Object.hasOwn(HOOK_EVENTS, event)) return sendError(reply, 404, 'NOT_FOUND', `no hook event ${event}`);
    const sessionId = request.query.session ?? '';
    const secret = request.headers[HOOK_SECRET_HEADER];
    // Claude runs on this machine and its hook URL names 127.0.0.1: a hook call comes from loopback.
    if (!isLoopback(request.socket.remoteAddress) || typeof secret !== 'string' || !sessionId) {
      request.log.warn({ event, sessionId, remote: request.socket.remoteAddress }, 'refused a hook call without loopback origin or secret');
      return sendError(reply, 401, 'UNAUTHORIZED', 'hook calls need the session secret, from loopback');
    }
    const payload = parseInput(hookPayloadSchema, request.body);
    // A held PermissionRequest ends early when Claude stops waiting (its timeout, or a key at the terminal).
    const abandoned = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abandoned.abort();
    });
    const answer = await supervisor.handleHook(event as HookEvent, sessionId, secret, payload, abandoned.signal);
    if (answer === false) {
      request.log.warn({ event, sessionId }, 'refused a hook call with a wrong secret');
      return sendError(reply, 401, 'UNAUTHORIZED', 'the hook secret does not belong to this session');
    }
    return answer;
  });
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}
