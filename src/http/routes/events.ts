/** The two SSE streams: every session's events, and one session's. */
import type { FastifyInstance } from 'fastify';
import type { Supervisor } from '../../sessions/supervisor.js';
import type { SseHub } from '../sse.js';

export function eventRoutes(app: FastifyInstance, { supervisor, sse }: { supervisor: Supervisor; sse: SseHub }): void {
  app.get('/v1/events', async (request, reply) => {
    sse.open(request, reply, () => true);
  });

  app.get<{ Params: { id: string } }>('/v1/sessions/:id/events', async (request, reply) => {
    const { id } = request.params;
    supervisor.get(id); // unknown session: 404 in the error envelope, before the stream starts
    sse.open(request, reply, (event) => event.sessionId === id);
  });
}
