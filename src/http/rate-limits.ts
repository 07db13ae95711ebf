/**
 * Request rate limits (@fastify/rate-limit): per API key, and per client address for callers without
 * a key, over one minute across every route; `429 RATE_LIMITED` with `Retry-After`. Loopback callers
 * without a key (the operator's own CLI, scripts on the machine) are not limited, nor are health
 * and readiness checks (Claude's hook calls have a listener of their own): those routes have no
 * limiter at all, and with both limits off nothing is registered. Registered before the routes, so it
 * runs on each after auth has said who is calling.
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
  // No limit, no limiter: its check is a cost on every request.
  if (perKey === 0 && perIp === 0) return;
  // Nor on a route no request of which is ever limited (before the limiter's own onRoute hook).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => neverLimited(method, route.url))) route.config = { ...route.config, rateLimit: false };
  });
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
  return (url !== undefined && neverLimited(request.method, url)) || (key.startsWith('ip:') && isLoopback(request.ip));
}

/** Public routes (health, readiness); a login checks the token it is given, so it is limited like any request that presents credentials. */
function neverLimited(method: string, url: string): boolean {
  return routeAccess(method, url) === 'public' && !(method === 'POST' && url === '/v1/auth/login');
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
