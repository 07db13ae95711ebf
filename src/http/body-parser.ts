/**
 * Every request body is read as JSON whatever its content type (so `curl -d '{...}'`, which says
 * form-urlencoded, just works), and an empty body is no body rather than an error. Bodies are bounded
 * in size (fastify's bodyLimit, MAX_BODY_BYTES) and in nesting (MAX_JSON_DEPTH), checked on the text
 * before it is parsed: whatever a body holds must be safe to keep, serialise and send back in every
 * answer that shows it. Hook calls are bodies too, and any command Claude runs can make one.
 */
import type { FastifyInstance } from 'fastify';
import { AegisError } from '../errors.js';

/** Large enough for a 1 MiB prompt after JSON escaping, and for any tool input Claude reports. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Far deeper than any request or tool input; far shallower than what breaks a recursive serialiser. */
export const MAX_JSON_DEPTH = 64;

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
      const message = `nested deeper than ${MAX_JSON_DEPTH} levels`;
      return done(new AegisError('INVALID_REQUEST', `the request body is ${message}`, { issues: [{ path: 'body', message }] }), undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      done(new AegisError('INVALID_REQUEST', `the request body is not valid JSON: ${reason}`, { issues: [{ path: 'body', message: 'not valid JSON' }] }), undefined);
    }
  });
}

/** Whether JSON text opens more than `max` arrays and objects inside each other (brackets in strings do not count). */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}
