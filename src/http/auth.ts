/**
 * Who is calling. With a master token configured every route but /v1/health, /v1/ready and the hook endpoint
 * needs `Authorization: Bearer <token>` (SSE routes also take `?token=`); without one, the daemon only
 * binds to loopback and every local caller holds every scope.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { tokensEqual } from '../auth/tokens.js';
import { sendError } from './errors.js';

export interface Principal {
  /** The API key's id, or null for the master token and unauthenticated local access. */
  keyId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const OPEN_ROUTES = [/^\/v1\/health$/, /^\/v1\/ready$/];
const SSE_ROUTES = [/^\/v1\/events$/, /^\/v1\/sessions\/[^/]+\/events$/];

export const authPlugin = fp<{ authToken: string | undefined }>(async (app: FastifyInstance, { authToken }) => {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    request.principal = { keyId: null };
    if (!authToken) return;
    const path = request.url.split('?')[0] ?? '';
    if (OPEN_ROUTES.some((r) => r.test(path))) return;
    const presented = bearer(request) ?? (SSE_ROUTES.some((r) => r.test(path)) ? queryToken(request) : undefined);
    if (presented === undefined) {
      return sendError(reply, 401, 'UNAUTHORIZED', 'missing credentials: send Authorization: Bearer <token>');
    }
    if (!tokensEqual(presented, authToken)) {
      request.log.warn({ path }, 'rejected a request with a bad token');
      return sendError(reply, 401, 'UNAUTHORIZED', 'invalid credentials');
    }
  });
});

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim();
}

function queryToken(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token ? token : undefined;
}
