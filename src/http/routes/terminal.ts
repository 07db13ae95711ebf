/**
 * A session's live terminal over SSE (`terminal_snapshot`, then `terminal_output`, then
 * `terminal_closed` when the session ends), and the keystrokes of a caller who took it over. The
 * stream follows the session's terminal feed (sessions/terminal-feed.ts), which keeps a slow client
 * from holding anyone else up.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { z } from 'zod';
import { AegisError } from '../../errors.js';
import type { TerminalUpdate, TerminalWatch } from '../../sessions/terminal-feed.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import { eventStreamSchema, terminalInputSchema } from '../response-schemas.js';
import type { SseHub } from '../sse.js';
import type { ZodTypeProvider } from '../zod-schemas.js';
import { eventStreamQuerySchema } from './events.js';
import { sessionMustExist, sessionParamsSchema as params } from './session-params.js';

export interface TerminalRoutesOptions {
  supervisor: Supervisor;
  sse: SseHub;
}

/** Longest run of keystrokes one request may type: a paste of more goes through POST .../send. */
export const MAX_INPUT_CHARS = 4096;

export const terminalInputBodySchema = z
  .object({
    data: z
      .string()
      .min(1)
      .max(MAX_INPUT_CHARS)
      .refine((data) => !data.includes('\0'), 'a terminal cannot be sent a NUL character')
      .describe("keystrokes, typed as they are (xterm's onData: text, \\r for Enter, escape sequences for arrows)"),
  })
  .strict();

export const terminalRoutes: FastifyPluginAsync<TerminalRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { supervisor, sse }) => {
  app.get('/v1/sessions/:id/terminal', { schema: { params, querystring: eventStreamQuerySchema, response: { 200: eventStreamSchema } } }, async (request, reply) => {
    const { id } = request.params;
    // Unknown or another key's: 404; ended: 409 SESSION_EXITED; both before the stream starts, so a browser does not reconnect.
    const handle = supervisor.session(id, request.identity);
    const { status, exit } = supervisor.get(id, request.identity);
    if (status === 'exited') throw new AegisError('SESSION_EXITED', `session ${id} has exited (${exit?.reason ?? 'ended'}); its terminal is gone: GET /v1/sessions/${id}/pane has its last screen`, { exit });
    sse.openFeed(reply, request.identity, (stream) => {
      const at = () => new Date().toISOString();
      let ended = false;
      const endWith = (reason: string) => {
        ended = true;
        stream.send('terminal_closed', { type: 'terminal_closed', sessionId: id, at: at(), reason });
        // After the watch is returned: a feed may close a viewer while it joins.
        queueMicrotask(() => stream.end());
      };
      let watch: TerminalWatch;
      try {
        watch = handle.watchTerminal({
          push: (update: TerminalUpdate) => {
            if (ended) return true;
            switch (update.type) {
              case 'snapshot': {
                const { data, cols, rows, cursor } = update;
                return stream.send('terminal_snapshot', { type: 'terminal_snapshot', sessionId: id, at: at(), cols, rows, cursor, data });
              }
              case 'output':
                return stream.send('terminal_output', { type: 'terminal_output', sessionId: id, at: at(), data: update.data });
              case 'closed':
                endWith(update.reason);
                return true;
            }
          },
        });
      } catch (err) {
        // Ending between the check above and now: the stream has begun, so it says so and ends.
        endWith(err instanceof AegisError && err.code === 'SESSION_EXITED' ? 'session_exited' : 'unavailable');
        return () => {};
      }
      stream.onDrain(() => watch.drained());
      return () => watch.close();
    });
  });

  app.post(
    '/v1/sessions/:id/input',
    { schema: { params, body: terminalInputBodySchema, response: { 200: terminalInputSchema } }, preValidation: sessionMustExist(supervisor) },
    async (request) => {
      const { data } = request.body;
      await supervisor.session(request.params.id, request.identity).typeKeys(data);
      return { typed: data.length };
    },
  );
};
