/**
 * The HTTP adapter: builds the fastify instance with auth, JSON bodies, the error envelope and every
 * /v1 route. It never listens; the daemon (or a test) does.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Supervisor } from '../sessions/supervisor.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { authPlugin } from './auth.js';
import { installJsonBodyParser, MAX_BODY_BYTES } from './body-parser.js';
import { installErrorHandling } from './errors.js';
import { originGuard } from './origin-guard.js';
import { installProtocolErrorHandling, protocolErrorOptions } from './protocol-errors.js';
import { diagnosticsRoutes } from './routes/diagnostics.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { hookRoutes } from './routes/hooks.js';
import { sessionRoutes } from './routes/sessions.js';
import type { SseHub } from './sse.js';

export interface AppDeps {
  config: Config;
  supervisor: Supervisor;
  tmux: TmuxServer;
  sse: SseHub;
  logger: FastifyBaseLogger;
  version: string;
  startedAt: number;
  storeFile: string;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: MAX_BODY_BYTES,
    // Requests are logged by our own onResponse hook, at debug, with tokens removed from URLs.
    logController: new LogController({ disableRequestLogging: true }),
    ...protocolErrorOptions,
    // Held hook calls and SSE streams never finish by themselves; closing must not wait for them.
    forceCloseConnections: true,
  });
  installJsonBodyParser(app);
  installErrorHandling(app);
  installProtocolErrorHandling(app);
  // Before auth: a page of another origin is refused whatever credentials it carries.
  await app.register(originGuard, { authToken: deps.config.authToken, allowedOrigins: deps.config.allowedOrigins, allowedHosts: deps.config.allowedHosts });
  await app.register(authPlugin, { authToken: deps.config.authToken });
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/v1/hooks/')) return;
    request.log.debug({ method: request.method, url: request.url.replace(/([?&]token=)[^&]*/g, '$1[redacted]'), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  healthRoutes(app, deps);
  sessionRoutes(app, deps);
  eventRoutes(app, deps);
  hookRoutes(app, deps);
  diagnosticsRoutes(app, deps);
  return app;
}
