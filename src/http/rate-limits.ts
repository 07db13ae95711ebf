/**
 * Request rate limits (@fastify/rate-limit): per API key, and per client address for callers without
 * a key, over one minute across every route; `429 RATE_LIMITED` with `Retry-After`. Loopback callers
 * without a key (the operator's own CLI, scripts on the machine) are not limited, nor are health
 * and readiness checks (Claude's hook calls have a listener of their own). Registered before the routes, so it runs on each after auth has
 * said who is calling.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeAccess } from './route-scopes.js';

export interface RateLimitOptions {
  /** Requests per minute per API key; 0: none. */
  perKey: number;
  /** Requests per minute per client address without a key; 0: none. */
  perIp: number;
}

const WINDOW_MS = 60_000;

export async function installRateLimits(app: FastifyInstance, { perKey, perIp }: RateLimitOptions): Promise<void> {
  const limitOf = (key: string) => (key.startsWith('key:') ? perKey : perIp);
  await app.register(rateLimit, {
    global: true,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => (request.identity?.keyId ? `key:${request.identity.keyId}` : `ip:${request.ip}`),
    max: (_request, key) => limitOf(key),
    allowList: (request, key) => limitOf(key) === 0 || exempt(request, key),
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`more than ${context.max} requests a minute; try again in ${context.after}`) as Error & { statusCode: number };
      error.statusCode = 429;
      return error;
    },
  });
}

function exempt(request: FastifyRequest, key: string): boolean {
  const url = request.routeOptions.url;
  const access = url === undefined ? undefined : routeAccess(request.method, url);
  // A login checks the token it is given: it is limited like any request that presents credentials.
  const checksCredentials = access === 'public' && request.method === 'POST' && url === '/v1/auth/login';
  return (access === 'public' && !checksCredentials) || (key.startsWith('ip:') && isLoopback(request.ip));
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
