/**
 * The HTTP adapter: builds the fastify instance with the cross-cutting plugins (origin guard, auth,
 * JSON bodies, the error envelope, zod route schemas, the route catalog) and one encapsulated plugin
 * per resource. It never listens; the daemon (or a test) does. It knows the daemon only through the
 * Supervisor, the SSE hub and the daemon's status, never tmux or the store.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AuditLog } from '../audit/audit-log.js';
import { MemoryAuditRepository } from '../audit/memory-audit-repository.js';
import type { KeyService } from '../auth/keys.js';
import { Lockout } from '../auth/lockout.js';
import { SseTokens } from '../auth/sse-tokens.js';
import { MemoryWebSessionRepository, WebSessions } from '../auth/web-sessions.js';
import fastifyCookie from '@fastify/cookie';
import type { Config } from '../config/schema.js';
import type { MemoryBridge } from '../memory/memory-bridge.js';
import { ModelRouter } from '../router/model-router.js';
import type { NodeDirectory } from '../operations/cluster-nodes.js';
import type { DaemonStatus } from '../operations/daemon-status.js';
import type { Supervisor } from '../sessions/supervisor.js';
import { auditTrailPlugin } from './audit-trail.js';
import { authPlugin } from './auth.js';
import { installJsonBodyParser, MAX_BODY_BYTES } from './body-parser.js';
import { installErrorHandling } from './errors.js';
import { originGuard } from './origin-guard.js';
import { installProtocolErrorHandling, protocolErrorOptions, requestTimeoutOptions } from './protocol-errors.js';
import { installRateLimits } from './rate-limits.js';
import { requestLoggingOptions, writes } from './request-logger.js';
import { routeCatalogPlugin } from './route-catalog.js';
import { installSecurityHeaders } from './security-headers.js';
import { dashboardPlugin, DEFAULT_DASHBOARD_DIR } from './dashboard.js';
import { webLoginRoutes } from './routes/web-login.js';
import { terminalRoutes } from './routes/terminal.js';
import { auditRoutes, type BackupAnswer } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { clusterRoutes, NO_NODES } from './routes/cluster.js';
import { diagnosticsRoutes } from './routes/diagnostics.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { memoryRoutes } from './routes/memory.js';
import { metricsRoutes, NO_METRICS, type MetricsReport } from './routes/metrics.js';
import { modelRouterRoutes } from './routes/model-router.js';
import { openApiRoutes } from './routes/openapi.js';
import { permissionRoutes } from './routes/permissions.js';
import { readyRoutes } from './routes/ready.js';
import { sessionRoutes } from './routes/sessions.js';
import type { SseHub } from './sse.js';
import { plainJsonSerializerCompiler, zodValidatorCompiler } from './zod-schemas.js';

export interface AppDeps {
  config: Config;
  supervisor: Supervisor;
  sse: SseHub;
  status: DaemonStatus;
  logger: FastifyBaseLogger;
  keys: KeyService;
  /** What the daemon counts (a test app built without them serves empty metrics). */
  metrics?: MetricsReport;
  /** Made from the configuration unless given (a test gives its own, with its own clock). */
  sseTokens?: SseTokens;
  lockout?: Lockout;
  /** The dashboard's logins; made from the configuration unless given (a test gives its own, with its own clock). */
  webSessions?: WebSessions;
  /** The audit log; an app built without one (a test's) keeps its entries in memory. */
  audit?: AuditLog;
  /** Takes an online backup of the database (POST /v1/admin/backup). */
  backup?: () => Promise<BackupAnswer>;
  /** The daemon's model router; unset: one made from the configuration. */
  router?: ModelRouter;
  /** The memory bridge; unset: /v1/memory answers 404 MEMORY_DISABLED. */
  memory?: MemoryBridge;
  /** The nodes of the cluster (GET /v1/cluster/nodes); unset: none are listed. */
  nodes?: NodeDirectory;
}

/** Bad credentials an address may present within a minute before it is locked out. */
const LOCKOUT_FAILURES = 5;
const LOCKOUT_WINDOW_MS = 60_000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, supervisor, sse, status, keys, metrics = NO_METRICS } = deps;
  const sseTokens = deps.sseTokens ?? new SseTokens(config.sseTokenTtlSeconds * 1000);
  const lockout = deps.lockout ?? new Lockout({ maxFailures: LOCKOUT_FAILURES, windowMs: LOCKOUT_WINDOW_MS, lockMs: config.lockoutMs });
  const webSessions = deps.webSessions ?? new WebSessions(new MemoryWebSessionRepository(), keys, { ttlMs: config.webSessionHours * 3600_000, authToken: config.authToken });
  const audit = deps.audit ?? new AuditLog(new MemoryAuditRepository(), { includeText: config.audit.includeText, logger: deps.logger });
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: MAX_BODY_BYTES,
    ...requestLoggingOptions(),
    ...protocolErrorOptions,
    ...requestTimeoutOptions(config.requestTimeoutMs),
    // Held hook calls and SSE streams never finish by themselves; closing must not wait for them.
    forceCloseConnections: true,
    // Behind a reverse proxy, request.ip is the client the proxy names (X-Forwarded-For), not the proxy.
    trustProxy: config.trustProxy,
  });
  installJsonBodyParser(app);
  installErrorHandling(app);
  installProtocolErrorHandling(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(plainJsonSerializerCompiler);
  installSecurityHeaders(app);
  // Before auth: a page of another origin is refused whatever credentials it carries.
  await app.register(originGuard, { authToken: config.authToken, allowedOrigins: config.allowedOrigins, allowedHosts: config.allowedHosts });
  // Parsed only where a request's cookie is read (auth.ts: sessionCookie), not on every request.
  await app.register(fastifyCookie, { hook: false });
  await app.register(authPlugin, { authToken: config.authToken, keys, sseTokens, lockout, webSessions });
  await app.register(auditTrailPlugin, { audit, keys });
  app.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    if (writes(request.log, 'debug')) {
      request.log.debug({ ip: request.ip, method: request.method, url: request.url.replace(/([?&]token=)[^&]*/g, '$1[redacted]'), status: reply.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    }
    // By route template: a raw URL (ids, any path a caller makes up) would be a series of its own.
    metrics.observeRequest({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, seconds });
    done();
  });
  // Before the routes, so they see every one of them.
  await app.register(routeCatalogPlugin);
  await installRateLimits(app, { perKey: config.rateLimitPerKey, perIp: config.rateLimitPerIp });

  await app.register(healthRoutes, { supervisor, status });
  await app.register(readyRoutes, { status });
  await app.register(sessionRoutes, { supervisor });
  await app.register(permissionRoutes, { supervisor });
  await app.register(eventRoutes, { supervisor, sse });
  await app.register(terminalRoutes, { supervisor, sse });
  await app.register(diagnosticsRoutes, { status });
  await app.register(metricsRoutes, { metrics });
  await app.register(clusterRoutes, { directory: deps.nodes ?? NO_NODES });
  await app.register(authRoutes, { keys, sseTokens });
  await app.register(webLoginRoutes, { authToken: config.authToken, keys, lockout, webSessions });
  await app.register(dashboardPlugin, { dir: config.dashboardDir ?? DEFAULT_DASHBOARD_DIR });
  await app.register(auditRoutes, { repository: audit.repository, ...(deps.backup ? { backup: deps.backup } : {}) });
  await app.register(modelRouterRoutes, { router: deps.router ?? new ModelRouter(config.modelRouter) });
  await app.register(memoryRoutes, { memory: deps.memory });
  await app.register(openApiRoutes, { version: status.version });
  return app;
}
