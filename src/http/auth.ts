/**
 * Who is calling, and may they. Every request is resolved to an identity before its route runs:
 *
 * - `Authorization: Bearer <token>` with the master token (every scope) or an API key (its scopes
 *   and limits);
 * - on SSE routes only, `?token=<sse-token>` (the identity that asked for it, once, briefly); no
 *   other credential is read from a query string, anywhere;
 * - the `aegis_session` cookie of a web login (web-login.ts): the identity of the key or master token
 *   it was made with, checked again on each request. A state-changing request (anything but
 *   GET/HEAD/OPTIONS) with the cookie must repeat the login's CSRF token in `X-CSRF-Token`, or it is
 *   `403 CSRF_TOKEN_INVALID`: a page of another site can make the browser send the cookie, never
 *   read the token, and a page of another port of the same host, which is sent the cookie too, cannot
 *   trade the cookie for it (only the login answers it). A bearer credential, when sent, is used instead of the cookie;
 * - nothing, on a daemon without a master token (loopback only): every scope. A key presented there
 *   still counts as that key, so a client sees what its key would see behind a token. A cookie that
 *   no longer stands for anything is ignored there (the request is open anyway).
 *
 * Then the route's scope (route-scopes.ts) is checked: `403 FORBIDDEN` with `details.requiredScope`.
 * Bad credentials are `401` and count toward the caller address's lockout; a locked-out address is
 * `429` whatever it presents. No credential is ever written to a log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { KEY_PREFIX, type KeyService } from '../auth/keys.js';
import type { Lockout } from '../auth/lockout.js';
import { MASTER_IDENTITY, OPEN_IDENTITY, type Identity } from '../auth/scopes.js';
import { SSE_TOKEN_PREFIX, type SseTokens } from '../auth/sse-tokens.js';
import { tokensEqual } from '../auth/tokens.js';
import type { WebSessions } from '../auth/web-sessions.js';
import { sendError } from './errors.js';
import { routeAccess, SSE_ROUTES } from './route-scopes.js';

export interface AuthOptions {
  authToken: string | undefined;
  keys: KeyService;
  sseTokens: SseTokens;
  lockout: Lockout;
  webSessions: WebSessions;
}

/** The cookie a web login sets (web-login.ts). */
export const SESSION_COOKIE = 'aegis_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set for every route but the public ones. */
    identity: Identity;
    /** Why the credentials were refused, when they were (the audit trail records it); `locked` when this refusal locked the address out. */
    authRefusal: { reason: string; locked: boolean } | null;
    /** The web session whose cookie authenticated the request, if one did. */
    webSession: { csrfToken: string; expiresAt: number } | null;
  }
}

/** What a public route's request holds: no scope at all. */
/** Who a request is before its credentials are checked, and on an `optional` route without any. */
export const NOBODY: Identity = { kind: 'open', keyId: null, scopes: new Set(), limits: OPEN_IDENTITY.limits };

type Resolution = { identity: Identity; webSession?: { csrfToken: string; expiresAt: number; csrfMatches: () => boolean } } | { missing: true } | { failure: string; fromCookie?: true };

export const authPlugin = fp<AuthOptions>(async (app: FastifyInstance, options) => {
  app.decorateRequest('identity', null as unknown as Identity);
  app.decorateRequest('authRefusal', null);
  app.decorateRequest('webSession', null);
  // Callback-style, as the other hooks every request runs through: a promise per hook is a cost per request.
  app.addHook('onRequest', (request, reply, done) => {
    if (refused(request, reply) === undefined) done();
  });

  /** The reply, sent, when the request is refused; undefined when it goes on with `request.identity` set. */
  function refused(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    request.identity = NOBODY;
    request.authRefusal = null;
    request.webSession = null;
    const url = request.routeOptions.url;
    // An unknown path needs credentials all the same (then it is 404): no answer to a stranger says what exists.
    const access = url === undefined ? undefined : routeAccess(request.method, url);
    if (access === 'public') return undefined;

    const retryMs = options.lockout.lockedFor(request.ip);
    if (retryMs > 0) {
      request.authRefusal = { reason: 'locked out', locked: false };
      return lockedOut(reply, retryMs);
    }

    const resolution = resolve(request, options, url !== undefined && SSE_ROUTES.has(`${request.method} ${url}`));
    if ('failure' in resolution) {
      const lockMs = options.lockout.fail(request.ip);
      request.authRefusal = { reason: resolution.failure, locked: lockMs > 0 };
      request.log.warn({ ip: request.ip, path: request.url.split('?')[0] }, `refused a request: ${resolution.failure}`);
      // A dead cookie is dropped by the browser, so one page does not keep presenting it.
      if (resolution.fromCookie) reply.clearCookie(SESSION_COOKIE, { path: '/' });
      if (lockMs > 0) return lockedOut(reply, lockMs);
      return sendError(reply, 401, 'UNAUTHORIZED', resolution.failure);
    }
    if ('missing' in resolution) {
      if (access === 'optional') return undefined;
      request.authRefusal = { reason: 'missing credentials', locked: false };
      return sendError(reply, 401, 'UNAUTHORIZED', 'missing credentials: send Authorization: Bearer <master token or API key>');
    }
    request.identity = resolution.identity;
    const { webSession } = resolution;
    if (webSession) request.webSession = { csrfToken: webSession.csrfToken, expiresAt: webSession.expiresAt };
    if (webSession && !SAFE_METHODS.has(request.method) && !webSession.csrfMatches()) {
      request.log.warn({ ip: request.ip, path: request.url.split('?')[0] }, 'refused a cookie request without its CSRF token');
      return sendError(reply, 403, 'CSRF_TOKEN_INVALID', `a request that changes something with the session cookie must carry the login's CSRF token in ${CSRF_HEADER} (the login answered it; a page that lost it logs in again)`);
    }
    if (access !== undefined && access !== 'authenticated' && access !== 'optional' && !resolution.identity.scopes.has(access)) {
      return sendError(reply, 403, 'FORBIDDEN', `this route needs the scope ${access}, which these credentials do not hold`, { requiredScope: access });
    }
    return undefined;
  }
});

/** The identity a master token or an API key stands for, or why it stands for none (counts the key's use). */
export function identify(presented: string, { authToken, keys }: Pick<AuthOptions, 'authToken' | 'keys'>, connection?: object): { identity: Identity } | { failure: string } {
  // What looks like a key is looked up as one first: a key's request then pays no comparison with the
  // master token (two SHA-256), and a master token that happens to look like one is still found below.
  const check = presented.startsWith(KEY_PREFIX) ? (connection ? keys.authenticateOn(connection, presented) : keys.authenticate(presented)) : null;
  if (check?.ok) return { identity: check.identity };
  if (authToken !== undefined && tokensEqual(presented, authToken)) return { identity: MASTER_IDENTITY };
  return { failure: check && check.reason !== 'unknown' ? `the API key is ${check.reason}` : 'invalid credentials' };
}

function resolve(request: FastifyRequest, options: AuthOptions, sseRoute: boolean): Resolution {
  const { authToken, keys, sseTokens, webSessions } = options;
  const presented = bearer(request);
  if (presented !== undefined) return identify(presented, options, request.raw.socket);
  const queryToken = sseRoute ? tokenInQuery(request) : undefined;
  if (queryToken !== undefined) {
    if (!queryToken.startsWith(SSE_TOKEN_PREFIX)) {
      return { failure: 'a query string takes only an SSE token (POST /v1/auth/sse-token); send keys and the master token as Authorization: Bearer' };
    }
    const identity = sseTokens.redeem(queryToken);
    if (identity === null || (identity.keyId !== null && !keys.isActive(identity.keyId))) return { failure: 'the SSE token is unknown, used or expired' };
    return { identity };
  }
  const cookie = sessionCookie(request);
  if (cookie) {
    const check = webSessions.check(cookie);
    if (check.ok) {
      const { csrfToken, expiresAt } = check;
      return { identity: check.identity, webSession: { csrfToken, expiresAt, csrfMatches: () => webSessions.csrfMatches(check, csrfHeader(request)) } };
    }
    if (authToken !== undefined) return { failure: check.reason, fromCookie: true };
  }
  return authToken === undefined ? { identity: OPEN_IDENTITY } : { missing: true };
}

/** The web login's cookie a request carries, if any (cookies are parsed only when asked for). */
export function sessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? request.server.parseCookie(header)[SESSION_COOKIE] : undefined;
}

function csrfHeader(request: FastifyRequest): string | undefined {
  const value = request.headers[CSRF_HEADER];
  return Array.isArray(value) ? undefined : value;
}

function lockedOut(reply: FastifyReply, retryMs: number): FastifyReply {
  const retryAfterSeconds = Math.ceil(retryMs / 1000);
  reply.header('retry-after', String(retryAfterSeconds));
  return sendError(reply, 429, 'RATE_LIMITED', `too many failed attempts from this address; try again in ${retryAfterSeconds} s`, {
    reason: 'locked_out',
    retryAfterSeconds,
  });
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim();
}

function tokenInQuery(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token ? token : undefined;
}
