/**
 * Where Claude's hooks call back: a listener of its own, on loopback only, serving nothing but the
 * hook route. The API's listener has no hook route at all, so nothing in front of the API (a reverse
 * proxy, a page in a browser) can reach it. Each session's settings name its hook URL once, at launch,
 * and Claude never reads them again, so the daemon keeps this port across restarts (see daemon.ts).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Supervisor } from '../sessions/supervisor.js';
import { installJsonBodyParser, MAX_BODY_BYTES } from './body-parser.js';
import { installErrorHandling } from './errors.js';
import { originGuard } from './origin-guard.js';
import { installProtocolErrorHandling, protocolErrorOptions, requestTimeoutOptions } from './protocol-errors.js';
import { hookRoutes, type HookTimer } from './routes/hooks.js';
import { requestLoggingOptions } from './request-logger.js';
import { plainJsonSerializerCompiler, zodValidatorCompiler } from './zod-schemas.js';

export interface HookAppDeps {
  config: Pick<Config, 'authToken' | 'allowedOrigins' | 'allowedHosts' | 'requestTimeoutMs'>;
  supervisor: Supervisor;
  logger: FastifyBaseLogger;
  timeHook?: HookTimer;
}

export interface HookListener {
  port: number;
  close(): Promise<void>;
}

/**
 * The hook route, behind the same bounds as the API (a page of another origin refused, body size,
 * JSON only, the error envelope); it never listens.
 */
export async function buildHookApp(deps: HookAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: MAX_BODY_BYTES,
    ...requestLoggingOptions(),
    ...protocolErrorOptions,
    ...requestTimeoutOptions(deps.config.requestTimeoutMs),
    // A held PermissionRequest never finishes by itself; closing must not wait for it.
    forceCloseConnections: true,
  });
  installJsonBodyParser(app);
  installErrorHandling(app);
  installProtocolErrorHandling(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(plainJsonSerializerCompiler);
  const { authToken, allowedOrigins, allowedHosts } = deps.config;
  await app.register(originGuard, { authToken, allowedOrigins, allowedHosts });
  await app.register(hookRoutes, { supervisor: deps.supervisor, timeHook: deps.timeHook });
  return app;
}

/** Listens for hooks on 127.0.0.1:`port` (0: a free port). */
export async function listenForHooks(deps: HookAppDeps, port: number): Promise<HookListener> {
  const app = await buildHookApp(deps);
  try {
    // Named for what it is: an operator reading the log takes a bare "Server listening" for the API.
    await app.listen({ host: '127.0.0.1', port, listenTextResolver: (address) => `hook listener at ${address}: for Claude Code's hooks only, not the API` });
  } catch (err) {
    await app.close();
    throw err;
  }
  return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
}
