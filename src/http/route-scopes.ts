/**
 * The one table of who may call what: every route the API serves, with the scope it needs. `public`
 * routes need no credentials (health, ready, the dashboard's static files, the login itself, which
 * checks the token it is given); `authenticated` routes take any valid credentials, whatever their
 * scopes (a web session's own routes); an `optional` route answers without credentials too, as
 * nobody (the dashboard asks whether it is logged in without a refusal its browser reports as an
 * error), while credentials it is sent must still be good. A route missing here cannot be registered (the route
 * catalog refuses it), so no route is ever served without a deliberate answer to "who may call this".
 * Claude's hook calls are not here: they have a listener of their own, checked by each session's secret.
 */
import type { Scope } from '../auth/scopes.js';

export type RouteAccess = Scope | 'public' | 'authenticated' | 'optional';

export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /v1/health': 'public',
  'GET /v1/ready': 'public',
  'GET /v1/openapi.json': 'public',
  // The dashboard's page and bundle hold no data; everything they show comes from the routes below.
  'GET /': 'public',
  'GET /assets/*': 'public',

  'POST /v1/sessions': 'sessions:write',
  'GET /v1/sessions': 'sessions:read',
  'GET /v1/sessions/health': 'sessions:read',
  'GET /v1/sessions/:id': 'sessions:read',
  'GET /v1/sessions/:id/health': 'sessions:read',
  'DELETE /v1/sessions/:id': 'sessions:write',
  'POST /v1/sessions/:id/send': 'sessions:write',
  'GET /v1/sessions/:id/read': 'sessions:read',
  'GET /v1/sessions/:id/pane': 'sessions:read',
  'POST /v1/sessions/:id/interrupt': 'sessions:write',
  'POST /v1/sessions/:id/escape': 'sessions:write',
  'GET /v1/sessions/:id/permissions': 'sessions:read',
  'POST /v1/sessions/:id/approve': 'permissions:write',
  'POST /v1/sessions/:id/reject': 'permissions:write',
  'POST /v1/sessions/:id/answer': 'permissions:write',
  'GET /v1/events': 'sessions:read',
  'GET /v1/sessions/:id/events': 'sessions:read',
  'GET /v1/sessions/:id/terminal': 'sessions:read',
  'POST /v1/sessions/:id/input': 'sessions:write',

  'POST /v1/auth/keys': 'keys:admin',
  'GET /v1/auth/keys': 'keys:admin',
  'DELETE /v1/auth/keys/:id': 'keys:admin',
  'POST /v1/auth/keys/:id/rotate': 'keys:admin',
  'POST /v1/auth/sse-token': 'sessions:read',
  'POST /v1/auth/login': 'public',
  'POST /v1/auth/logout': 'authenticated',
  'GET /v1/auth/session': 'optional',

  'GET /v1/diagnostics': 'metrics:read',
  'GET /v1/metrics': 'metrics:read',
  'GET /v1/cluster/nodes': 'metrics:read',

  'GET /v1/audit': 'audit:read',
  'GET /v1/audit/export': 'audit:read',
  'GET /v1/audit/verify': 'audit:read',
  // The contract's "admin": a copy of the database holds every key's hash and every session.
  'POST /v1/admin/backup': 'keys:admin',
  'POST /v1/dev/route-task': 'sessions:read',
  'GET /v1/dev/model-tiers': 'sessions:read',

  'POST /v1/memory': 'memory:write',
  'GET /v1/memory': 'memory:read',
  'GET /v1/memory/:key': 'memory:read',
  'DELETE /v1/memory/:key': 'memory:write',
};

/** Routes that stream events: the only ones that take `?token=`, and only an SSE token. */
export const SSE_ROUTES: ReadonlySet<string> = new Set(['GET /v1/events', 'GET /v1/sessions/:id/events', 'GET /v1/sessions/:id/terminal']);

export function routeAccess(method: string, url: string): RouteAccess | undefined {
  // fastify serves HEAD beside every GET; it is the GET as far as access goes.
  return ROUTE_ACCESS[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
