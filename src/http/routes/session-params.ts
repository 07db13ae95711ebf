/** The `:id` of every /v1/sessions/:id route, and the check that it names a session the daemon knows. */
import type { preValidationAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { Supervisor } from '../../sessions/supervisor.js';

export const sessionParamsSchema = z.object({ id: z.string().min(1) });

/**
 * A preValidation hook for routes that take a body: an unknown session (or another key's) is answered 404 before the body
 * is validated, since "no such session" is the more useful answer than what was wrong with a request
 * to it. fastify validates every request part after preValidation, so the check runs here, on the raw
 * id; an id the params schema refuses is left for it to answer.
 */
export function sessionMustExist(supervisor: Supervisor): preValidationAsyncHookHandler {
  return async (request) => {
    const { id } = request.params as { id?: unknown };
    if (typeof id === 'string' && id !== '') supervisor.get(id, request.identity);
  };
}
