/**
 * Where Claude's HTTP hooks call back. Only loopback callers holding the session's own secret are
 * heard; anything else is 401 and logged. A malformed body is 400 and never reaches the session.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { z } from 'zod';
import { hookPayloadSchema } from '../../claude/hook-payloads.js';
import { HOOK_EVENTS, HOOK_SECRET_HEADER, type HookEvent } from '../../claude/launch.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import { sendError } from '../errors.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export const hookParamsSchema = z.object({ event: z.enum(Object.keys(HOOK_EVENTS) as [HookEvent, ...HookEvent[]]) });
export const hookQuerySchema = z.object({ session: z.string().min(1) });
export const hookHeadersSchema = z.object({ [HOOK_SECRET_HEADER]: z.string() });

/** Runs the handling of a hook call, told the milliseconds since the call arrived (the metrics time its events). */
export type HookTimer = <T>(elapsedMs: () => number, handle: () => T) => T;

export interface HookRoutesOptions {
  supervisor: Supervisor;
  timeHook?: HookTimer;
}

const untimed: HookTimer = (_elapsedMs, handle) => handle();

export const hookRoutes: FastifyPluginAsync<HookRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { supervisor, timeHook = untimed }) => {
  app.post(
    '/v1/hooks/:event',
    { schema: { params: hookParamsSchema, querystring: hookQuerySchema, headers: hookHeadersSchema, body: hookPayloadSchema }, preValidation: callerMayBeHeard },
    async (request, reply) => {
      const { event } = request.params;
      const sessionId = request.query.session;
      const secret = request.headers[HOOK_SECRET_HEADER];
      // A held PermissionRequest ends early when Claude stops waiting (its timeout, or a key at the terminal).
      const abandoned = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abandoned.abort();
      });
      const answer = await timeHook(
        () => reply.elapsedTime,
        () => supervisor.handleHook(event, sessionId, secret, request.body, abandoned.signal),
      );
      if (answer === false) {
        request.log.warn({ event, sessionId }, 'refused a hook call with a wrong secret');
        return sendError(reply, 401, 'UNAUTHORIZED', 'the hook secret does not belong to this session');
      }
      return answer;
    },
  );
};

/**
 * An unknown event is 404 and a caller without loopback origin, session or secret is 401, whatever its
 * body holds: who may call is settled before what was said is looked at, so this runs before fastify
 * validates the request (on the raw parts).
 */
async function callerMayBeHeard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const { event } = request.params as { event: string };
  if (!Object.hasOwn(HOOK_EVENTS, event)) return sendError(reply, 404, 'NOT_FOUND', `no hook event ${event}`);
  const sessionId = (request.query as { session?: unknown }).session;
  const secret = request.headers[HOOK_SECRET_HEADER];
  // Claude runs on this machine and its hook URL names 127.0.0.1: a hook call comes from loopback.
  if (!isLoopback(request.socket.remoteAddress) || typeof secret !== 'string' || typeof sessionId !== 'string' || !sessionId) {
    request.log.warn({ event, sessionId, remote: request.socket.remoteAddress }, 'refused a hook call without loopback origin or secret');
    return sendError(reply, 401, 'UNAUTHORIZED', 'hook calls need the session secret, from loopback');
  }
  return undefined;
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}
