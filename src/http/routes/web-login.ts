/**
 * The dashboard's login: an API key or the master token is traded for the `aegis_session` cookie
 * (HttpOnly, SameSite=Strict, Path=/, Secure when the request came over TLS) and a CSRF token the page
 * keeps in its origin's storage. The token is given at login only: a browser sends the cookie to every
 * port of the daemon's host, so a page served from another port there (a session's dev server) may
 * read it, and must not be able to trade it for the token that makes writes. `GET /v1/auth/session`
 * says who the cookie stands for; logout ends the cookie. A bad token is an authentication failure like any other: 401, counted toward the
 * address's lockout, recorded in the audit log.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { z } from 'zod';
import type { KeyService } from '../../auth/keys.js';
import type { Lockout } from '../../auth/lockout.js';
import { ROLE_NAMES, ROLES, SCOPES, type Identity } from '../../auth/scopes.js';
import type { WebSessions } from '../../auth/web-sessions.js';
import { AegisError } from '../../errors.js';
import { identify, NOBODY, SESSION_COOKIE, sessionCookie } from '../auth.js';
import { noContentSchema, webSessionSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface WebLoginOptions {
  authToken: string | undefined;
  keys: KeyService;
  lockout: Lockout;
  webSessions: WebSessions;
}

export const loginSchema = z.object({ token: z.string().min(1).max(1000).describe('an API key or the master token') }).strict();

type WebSessionAnswer = z.output<typeof webSessionSchema>;

export const webLoginRoutes: FastifyPluginAsync<WebLoginOptions, RawServerDefault, ZodTypeProvider> = async (app, options) => {
  const { webSessions, lockout } = options;
  const loginRequired = options.authToken !== undefined;

  app.post('/v1/auth/login', { schema: { body: loginSchema, response: { 200: webSessionSchema } } }, async (request, reply) => {
    const retryMs = lockout.lockedFor(request.ip);
    if (retryMs > 0) {
      request.authRefusal = { reason: 'locked out', locked: false };
      throw lockedOut(retryMs);
    }
    const result = identify(request.body.token, options);
    if ('failure' in result) {
      const lockMs = lockout.fail(request.ip);
      request.authRefusal = { reason: result.failure, locked: lockMs > 0 };
      request.log.warn({ ip: request.ip }, `refused a login: ${result.failure}`);
      if (lockMs > 0) throw lockedOut(lockMs);
      throw new AegisError('UNAUTHORIZED', result.failure);
    }
    request.identity = result.identity;
    const earlier = sessionCookie(request);
    if (earlier) webSessions.close(earlier);
    const login = webSessions.open(result.identity);
    reply.setCookie(SESSION_COOKIE, login.secret, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      // request.protocol follows X-Forwarded-Proto only when trustProxy names the proxy.
      secure: request.protocol === 'https',
      expires: new Date(login.expiresAt),
    });
    request.log.info({ keyId: result.identity.keyId }, 'opened a web session');
    return answer(result.identity, { csrfToken: login.csrfToken, expiresAt: login.expiresAt }, loginRequired, options.keys);
  });

  // Without credentials this is not a refusal but the answer "not logged in": a page that asks as it
  // loads would otherwise have its browser report an error on every visit.
  app.get('/v1/auth/session', { schema: { response: { 200: webSessionSchema } } }, async (request) =>
    request.identity === NOBODY
      ? { csrfToken: null, expiresAt: null, loginRequired, identity: null }
      : answer(request.identity, request.webSession ? { csrfToken: null, expiresAt: request.webSession.expiresAt } : null, loginRequired, options.keys));

  app.post('/v1/auth/logout', { schema: { response: { 204: noContentSchema } } }, async (request, reply) => {
    const cookie = sessionCookie(request);
    if (cookie && request.webSession) webSessions.close(cookie);
    clearSessionCookie(reply, request);
    return reply.code(204).send(null);
  });
};

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
}

function answer(identity: Identity, session: { csrfToken: string | null; expiresAt: number } | null, loginRequired: boolean, keys: Pick<KeyService, 'nameOf'>): WebSessionAnswer {
  const scopes = SCOPES.filter((scope) => identity.scopes.has(scope));
  const role = ROLE_NAMES.find((name) => ROLES[name].length === scopes.length && ROLES[name].every((scope) => identity.scopes.has(scope))) ?? null;
  const until = session?.expiresAt ?? identity.validUntil;
  return {
    csrfToken: session?.csrfToken ?? null,
    expiresAt: until === undefined ? null : new Date(until).toISOString(),
    loginRequired,
    identity: {
      keyId: identity.keyId,
      name: identity.keyId !== null ? (keys.nameOf(identity.keyId) ?? identity.keyId) : identity.kind === 'master' ? 'master' : 'local',
      role,
      scopes,
    },
  };
}

function lockedOut(retryMs: number): AegisError {
  const retryAfterSeconds = Math.ceil(retryMs / 1000);
  return new AegisError('RATE_LIMITED', `too many failed attempts from this address; try again in ${retryAfterSeconds} s`, { reason: 'locked_out', retryAfterSeconds });
}
