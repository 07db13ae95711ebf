/** The two SSE streams: the events of every session the caller may see, and one session's. */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { z } from 'zod';
import type { Supervisor } from '../../sessions/supervisor.js';
import { LAST_EVENT_ID_QUERY_NAMES, type SseHub } from '../sse.js';
import { eventStreamSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';
import { sessionParamsSchema as params } from './session-params.js';

/**
 * What a stream takes besides the session id: where to resume (the `Last-Event-ID` header, or for
 * clients that cannot set headers `?lastEventId=`, also spelt as the header is, `last-event-id` or
 * `last_event_id`) and an SSE token (`?token=`, read by auth). Never refused: a value that is not a
 * usable string is ignored, and the stream starts from now.
 */
const ignoredUnlessString = z.string().optional().catch(undefined);
export const eventStreamQuerySchema = z.object({ ...Object.fromEntries(LAST_EVENT_ID_QUERY_NAMES.map((name) => [name, ignoredUnlessString])), token: ignoredUnlessString });
export const eventStreamHeadersSchema = z.object({ 'last-event-id': ignoredUnlessString });

export interface EventRoutesOptions {
  supervisor: Supervisor;
  sse: SseHub;
}

export const eventRoutes: FastifyPluginAsync<EventRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { supervisor, sse }) => {
  const querystring = eventStreamQuerySchema;
  const headers = eventStreamHeadersSchema;
  const response = { 200: eventStreamSchema };

  app.get('/v1/events', { schema: { querystring, headers, response } }, async (request, reply) => {
    const visible = supervisor.eventFilter(request.identity);
    sse.open(request, reply, (event) => visible(event.sessionId), request.identity);
  });

  app.get('/v1/sessions/:id/events', { schema: { params, querystring, headers, response } }, async (request, reply) => {
    const { id } = request.params;
    supervisor.get(id, request.identity); // unknown session (or another key's): 404 in the error envelope, before the stream starts
    // Deleted or purged, the session is gone: its stream ends, and a reconnect is answered 404.
    sse.open(request, reply, (event) => event.sessionId === id, request.identity, (event) => event.type === 'session_removed');
  });
};
