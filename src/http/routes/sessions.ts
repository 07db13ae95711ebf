/** The session routes of the /v1 contract: a thin adapter from HTTP to the Supervisor. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { answerSchema, approveSchema, createSessionSchema, listQuerySchema, readQuerySchema, rejectSchema, sendHeadersSchema, sendSchema } from '../../sessions/inputs.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import { sendList } from '../json-list.js';
import { parseInput } from '../validate.js';

const idParams = z.object({ id: z.string().min(1) });

export function sessionRoutes(app: FastifyInstance, { supervisor }: { supervisor: Supervisor }): void {
  app.post('/v1/sessions', async (request, reply) => {
    const input = parseInput(createSessionSchema, request.body);
    const result = await supervisor.create(input, request.principal.keyId);
    return reply.code(result.reused ? 200 : 201).send({ ...result.session, reused: result.reused, ...(result.promptDelivery ? { promptDelivery: result.promptDelivery } : {}) });
  });

  app.get('/v1/sessions', async (request, reply) => {
    const { status } = parseInput(listQuerySchema, request.query, 'query');
    return sendList(reply, 'sessions', supervisor.list(status), ['id', 'name', 'workDir', 'status']);
  });

  // Registered before /:id so "health" is never taken for a session id.
  app.get('/v1/sessions/health', async () => supervisor.health());

  app.get('/v1/sessions/:id', async (request) => supervisor.get(idOf(request.params)));

  app.get('/v1/sessions/:id/health', async (request) => supervisor.sessionHealth(idOf(request.params)));

  app.delete('/v1/sessions/:id', async (request) => supervisor.remove(idOf(request.params)));

  app.post('/v1/sessions/:id/send', async (request) => {
    const id = idOf(request.params);
    supervisor.get(id); // 404 before 400: an unknown session is the more useful answer
    const { text } = parseInput(sendSchema, request.body);
    const { 'idempotency-key': idempotencyKey } = parseInput(sendHeadersSchema, request.headers, 'headers');
    return supervisor.send(id, text, { idempotencyKey });
  });

  app.get('/v1/sessions/:id/read', async (request) => {
    const id = idOf(request.params);
    const { after, limit } = parseInput(readQuerySchema, request.query, 'query');
    return supervisor.read(id, after === undefined ? 0 : Number(after), limit);
  });

  app.get('/v1/sessions/:id/pane', async (request) => supervisor.pane(idOf(request.params)));

  app.post('/v1/sessions/:id/interrupt', async (request) => supervisor.interrupt(idOf(request.params)));

  app.post('/v1/sessions/:id/escape', async (request) => ({ sent: true, session: await supervisor.escape(idOf(request.params)) }));

  app.get('/v1/sessions/:id/permissions', async (request, reply) =>
    sendList(reply, 'pending', supervisor.permissions(idOf(request.params)).pending, ['id', 'sessionId', 'toolName', 'source']));

  app.post('/v1/sessions/:id/approve', async (request) => {
    const id = idOf(request.params);
    supervisor.get(id);
    return supervisor.approve(id, parseInput(approveSchema, request.body ?? {}), request.principal.keyId);
  });

  app.post('/v1/sessions/:id/reject', async (request) => {
    const id = idOf(request.params);
    supervisor.get(id);
    return supervisor.reject(id, parseInput(rejectSchema, request.body ?? {}), request.principal.keyId);
  });

  app.post('/v1/sessions/:id/answer', async (request) => {
    const id = idOf(request.params);
    supervisor.get(id);
    return supervisor.answer(id, parseInput(answerSchema, request.body), request.principal.keyId);
  });
}

function idOf(params: unknown): string {
  return parseInput(idParams, params, 'query').id;
}
