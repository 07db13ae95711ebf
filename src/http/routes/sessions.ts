/**
 * The session routes of the /v1 contract: create, list, look at, drive and end sessions. A thin adapter
 * from HTTP to the Supervisor; what each route takes is declared as its zod route schemas.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { createSessionSchema, idempotencyHeadersSchema, listQuerySchema, readQuerySchema, sendSchema } from '../../sessions/inputs.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import { ItemTexts, sendItem, sendList } from '../json-list.js';
import {
  createdSessionSchema, deliverySchema, escapeSchema, interruptSchema, paneSchema, sessionHealthSchema, sessionListSchema, sessionSchema, sessionsHealthSchema, transcriptPageSchema,
} from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';
import { sessionMustExist, sessionParamsSchema as params } from './session-params.js';

export interface SessionRoutesOptions {
  supervisor: Supervisor;
}

export const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { supervisor }) => {
  app.post(
    '/v1/sessions',
    { schema: { body: createSessionSchema, headers: idempotencyHeadersSchema, response: { 200: createdSessionSchema, 201: createdSessionSchema } } },
    async (request, reply) => {
      const result = await supervisor.create(request.body, request.identity, { idempotencyKey: request.headers['idempotency-key'] });
      return reply.code(result.reused ? 200 : 201).send({ ...result.session, reused: result.reused, ...(result.promptDelivery ? { promptDelivery: result.promptDelivery } : {}) });
    },
  );

  // Sessions' JSON texts, kept while their views stay the same (json-list.ts): polled lists are mostly unchanged.
  const texts = new ItemTexts();
  app.get('/v1/sessions', { schema: { querystring: listQuerySchema, response: { 200: sessionListSchema } } }, async (request, reply) =>
    sendList(reply, 'sessions', supervisor.list(request.query.status, request.identity), ['id', 'name', 'workDir', 'status'], texts));

  // A static path: the router never takes "health" for a session id.
  app.get('/v1/sessions/health', { schema: { response: { 200: sessionsHealthSchema } } }, async (request) => supervisor.health(request.identity));

  app.get('/v1/sessions/:id', { schema: { params, response: { 200: sessionSchema } } }, async (request, reply) => sendItem(reply, supervisor.get(request.params.id, request.identity), texts));

  app.get('/v1/sessions/:id/health', { schema: { params, response: { 200: sessionHealthSchema } } }, async (request) => supervisor.sessionHealth(request.params.id, request.identity));

  app.delete('/v1/sessions/:id', { schema: { params, response: { 200: sessionSchema } } }, async (request) => supervisor.remove(request.params.id, request.identity));

  app.post(
    '/v1/sessions/:id/send',
    { schema: { params, body: sendSchema, headers: idempotencyHeadersSchema, response: { 200: deliverySchema } }, preValidation: sessionMustExist(supervisor) },
    async (request) => supervisor.session(request.params.id, request.identity).send(request.body.text, { idempotencyKey: request.headers['idempotency-key'] }),
  );

  app.get('/v1/sessions/:id/read', { schema: { params, querystring: readQuerySchema, response: { 200: transcriptPageSchema } } }, async (request) => {
    const { after, limit } = request.query;
    return supervisor.session(request.params.id, request.identity).read(after === undefined ? 0 : Number(after), limit);
  });

  app.get('/v1/sessions/:id/pane', { schema: { params, response: { 200: paneSchema } } }, async (request) => supervisor.session(request.params.id, request.identity).pane());

  app.post('/v1/sessions/:id/interrupt', { schema: { params, response: { 200: interruptSchema } } }, async (request) => supervisor.session(request.params.id, request.identity).interrupt());

  app.post('/v1/sessions/:id/escape', { schema: { params, response: { 200: escapeSchema } } }, async (request) => ({ sent: true as const, session: await supervisor.session(request.params.id, request.identity).escape() }));
};
