/**
 * Every request body is read as JSON whatever its content type (so `curl -d '{...}'`, which says
 * form-urlencoded, just works), and an empty body is no body rather than an error.
 */
import type { FastifyInstance } from 'fastify';
import { AegisError } from '../errors.js';

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      done(new AegisError('INVALID_REQUEST', `the request body is not valid JSON: ${reason}`, { issues: [{ path: 'body', message: 'not valid JSON' }] }), undefined);
    }
  });
}
