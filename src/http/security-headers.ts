/**
 * Headers every answer carries: no MIME sniffing, no Referer leaking a URL to another site, no cache
 * keeping an API answer (sessions, transcripts, a key shown once), and, for the dashboard's page, a
 * Content-Security-Policy that lets it load and talk to nothing but the daemon: no inline script or
 * style, no eval, no frame around it (clickjacking), no form posting elsewhere. Set on the raw response
 * at the start of the request, so they also reach answers that take the response over (SSE streams,
 * which send their own `Cache-Control`) and answers given before any route runs.
 */
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.raw.setHeader('x-content-type-options', 'nosniff');
    reply.raw.setHeader('referrer-policy', 'no-referrer');
    reply.raw.setHeader('cache-control', 'no-store');
    reply.raw.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.raw.setHeader('x-frame-options', 'DENY');
    done();
  });
}
