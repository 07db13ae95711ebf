/**
 * What a session waits on, and the decisions that end the wait: its pending permission requests and
 * questions, approve, reject and answer.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { answerSchema, approveSchema, rejectSchema } from '../../sessions/inputs.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import { sendList } from '../json-list.js';
import { answeredSchema, approvedSchema, pendingListSchema, rejectedSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';
import { sessionMustExist, sessionParamsSchema as params } from './session-params.js';

export interface PermissionRoutesOptions {
  supervisor: Supervisor;
}

export const permissionRoutes: FastifyPluginAsync<PermissionRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { supervisor }) => {
  const preValidation = sessionMustExist(supervisor);

  app.get('/v1/sessions/:id/permissions', { schema: { params, response: { 200: pendingListSchema } } }, async (request, reply) =>
    sendList(reply, 'pending', supervisor.session(request.params.id, request.identity).permissions().pending, ['id', 'sessionId', 'toolName', 'source']));

  // Approving or rejecting needs no body: with none, the decision is about the request pending now.
  app.post('/v1/sessions/:id/approve', { schema: { params, body: approveSchema.optional(), response: { 200: approvedSchema } }, preValidation }, async (request) =>
    supervisor.session(request.params.id, request.identity).approve(request.body ?? {}, request.identity.keyId));

  app.post('/v1/sessions/:id/reject', { schema: { params, body: rejectSchema.optional(), response: { 200: rejectedSchema } }, preValidation }, async (request) =>
    supervisor.session(request.params.id, request.identity).reject(request.body ?? {}, request.identity.keyId));

  app.post('/v1/sessions/:id/answer', { schema: { params, body: answerSchema, response: { 200: answeredSchema } }, preValidation }, async (request) =>
    supervisor.session(request.params.id, request.identity).answer(request.body, request.identity.keyId));
};
