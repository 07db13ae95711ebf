/**
 * Headers every answer carries: no MIME sniffing, no Referer leaking a URL to another site, and no
 * cache keeping an API answer (sessions, transcripts, a key shown once). Set on the raw response at
 * the start of the request, so they also reach answers that take the response over (SSE streams,
 * which send their own `Cache-Control`) and answers given before any route runs.
 */
import type { FastifyInstance } from 'fastify';

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.raw.setHeader('x-content-type-options', 'nosniff');
    reply.raw.setHeader('referrer-policy', 'no-referrer');
    reply.raw.setHeader('cache-control', 'no-store');
  });
}
