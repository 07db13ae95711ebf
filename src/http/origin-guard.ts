/**
 * Which callers may reach the API at all, decided before credentials are looked at.
 *
 * - A request with an `Origin` comes from a browser page. It is served when that page is the daemon's
 *   own origin (its host[:port] is the request's Host) or listed in `allowedOrigins`; the latter get
 *   CORS headers and preflight answers so their pages can read what they asked for. Any other page is
 *   refused, token or not: a page must not drive the daemon with the user's own credentials or trust.
 * - Without a token, a request is served only when its `Host` is a loopback name (127.0.0.1, localhost,
 *   [::1], any port) or listed in `allowedHosts`. A page that rebinds its own name to 127.0.0.1 (DNS
 *   rebinding) reaches the daemon as a same-origin request for that name, and is refused here.
 *
 * - A request without an `Origin` that a browser says another site's page made (`Sec-Fetch-Site:
 *   cross-site`, or `same-site`: a page of another port of the same host, which is also sent the
 *   login cookie) is an image, a link or a frame of that page. It is refused, unless it opens a public
 *   page (`Sec-Fetch-Mode: navigate`, a link to the dashboard). Refused before credentials are read,
 *   so such a page cannot present bad ones (`?token=` on an event stream) in the browser's name and
 *   lock the browser's address out.
 *
 * curl, the CLI and Claude's hooks send no Origin and no Sec-Fetch-Site and use a loopback name, so
 * nothing changes for them.
 * Refusals are `403 FORBIDDEN` naming the origin or host and the setting that would allow it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sendError } from './errors.js';
import { routeAccess } from './route-scopes.js';

export interface OriginGuardOptions {
  authToken: string | undefined;
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** A Host header: a name or bracketed IPv6 address, and an optional port; nothing else. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/;
const CORS_METHODS = 'GET, POST, DELETE';
const CORS_HEADERS = 'authorization, content-type, last-event-id';
/** What `Sec-Fetch-Site` says of a request made by a page of another site (or of another port of this host). */
const OTHER_SITE = new Set(['cross-site', 'same-site']);

interface HostName {
  name: string;
  port: string | undefined;
}

function parseHost(value: string | undefined): HostName | null {
  const match = value === undefined ? null : HOST_HEADER.exec(value.trim().toLowerCase());
  return match ? { name: match[1]!, port: match[2] } : null;
}

function sameOrigin(origin: string, host: HostName | null): boolean {
  if (!host) return false;
  try {
    const page = new URL(origin);
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return false;
    // Parsed with the page's scheme, so a default port written out (`:80`) compares equal to none.
    const asked = new URL(`${page.protocol}//${host.name}${host.port ? `:${host.port}` : ''}`);
    return page.host === asked.host;
  } catch {
    return false;
  }
}

function normalizedOrigin(origin: string): string | null {
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}

export const originGuard = fp<OriginGuardOptions>(async (app: FastifyInstance, options) => {
  const origins = new Set(options.allowedOrigins.map(normalizedOrigin).filter((o): o is string => o !== null && o !== 'null'));
  const hosts = options.allowedHosts.map(parseHost).filter((h): h is HostName => h !== null);
  const hostAllowed = (host: HostName | null): boolean =>
    !!host && (LOOPBACK_NAMES.has(host.name) || hosts.some((h) => h.name === host.name && (h.port === undefined || h.port === host.port)));

  // Callback-style, as the other hooks every request runs through: a promise per hook is a cost per request.
  app.addHook('onRequest', (request, reply, done) => {
    if (answeredHere(request, reply) === undefined) done();
  });

  /** The reply, sent, when the request is refused or is a preflight answered here; undefined when it goes on. */
  function answeredHere(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const hostHeader = request.headers.host;
    const host = parseHost(hostHeader);
    if (!options.authToken && !hostAllowed(host)) {
      request.log.warn({ host: hostHeader }, 'refused a request for a host name that is not loopback');
      return sendError(
        reply,
        403,
        'FORBIDDEN',
        `requests for host ${hostHeader ?? '(none)'} are refused: without an auth token the daemon answers only to 127.0.0.1, localhost and [::1]; ` +
          'list the name in allowedHosts (AEGIS_ALLOWED_HOSTS) or set AEGIS_AUTH_TOKEN',
        { host: hostHeader ?? null },
      );
    }
    const origin = request.headers.origin;
    if (origin === undefined) return otherSitesRequest(request, reply);
    if (sameOrigin(origin, host)) return undefined;
    const allowed = normalizedOrigin(origin);
    if (allowed !== null && origins.has(allowed)) return corsFor(origin, request.method, request.headers['access-control-request-method'], reply);
    request.log.warn({ origin }, 'refused a request from a web page of another origin');
    return sendError(
      reply,
      403,
      'FORBIDDEN',
      `requests from web pages of ${origin} are refused: only the daemon's own origin is served; list it in allowedOrigins (AEGIS_ALLOWED_ORIGINS) to let its pages call the API`,
      { origin },
    );
  }
});

/** The refusal of a request another site's page made without an Origin; undefined for any other request. */
function otherSitesRequest(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const site = request.headers['sec-fetch-site'];
  if (typeof site !== 'string' || !OTHER_SITE.has(site)) return undefined;
  const url = request.routeOptions.url;
  const publicPage = request.headers['sec-fetch-mode'] === 'navigate' && url !== undefined && routeAccess(request.method, url) === 'public';
  if (publicPage) return undefined;
  request.log.warn({ path: request.url.split('?')[0], secFetchSite: site }, 'refused a request made by a web page of another site');
  return sendError(
    reply,
    403,
    'FORBIDDEN',
    `requests made by web pages of other sites (Sec-Fetch-Site: ${site}) are refused: only the daemon's own pages and callers that are not web pages are served`,
    { secFetchSite: site },
  );
}

/**
 * Lets a configured origin's page read the answer. Headers go on the reply, as the security headers do,
 * and so also reach SSE streams, which send the reply's headers with their own (sse.ts). A preflight
 * is answered here: there is no OPTIONS route.
 */
function corsFor(origin: string, method: string, preflightMethod: string | string[] | undefined, reply: FastifyReply): FastifyReply | undefined {
  reply.header('access-control-allow-origin', origin);
  reply.header('vary', 'Origin');
  if (method !== 'OPTIONS' || preflightMethod === undefined) {
    reply.header('access-control-expose-headers', 'retry-after');
    return undefined;
  }
  reply.header('access-control-allow-methods', CORS_METHODS);
  reply.header('access-control-allow-headers', CORS_HEADERS);
  reply.header('access-control-max-age', '600');
  return reply.code(204).send();
}
