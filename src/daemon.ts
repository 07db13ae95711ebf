/**
 * The composition root: builds store → event bus → tmux → supervisor → daemon status → HTTP from a
 * configuration, listens, and closes everything in reverse order. Tests build the real daemon through this same
 * function with a temporary state dir and a private tmux socket.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pino from 'pino';
import type { Config } from './config/schema.js';
import { AuditLog } from './audit/audit-log.js';
import { auditCoreEvents } from './audit/event-auditor.js';
import { startAuditRetention } from './audit/retention.js';
import { KeyService } from './auth/keys.js';
import { MemoryWebSessionRepository, WebSessions } from './auth/web-sessions.js';
import { redactConfig } from './config/load.js';
import { resolveSessionUser, ROOT_WITHOUT_SESSION_USER, type UnixUser } from './config/session-user.js';
import { EventBus, type AegisEvent } from './events/event-bus.js';
import { messageWeight, type TranscriptMessage } from './claude/transcript.js';
import { buildApp } from './http/app.js';
import { SseHub, DEFAULT_SSE_OPTIONS, type SseOptions } from './http/sse.js';
import { Disposals } from './disposals.js';
import { createLogger } from './log.js';
import { MemoryBridge } from './memory/memory-bridge.js';
import { importPersistFile, logImport } from './memory/memory-import.js';
import { DaemonMetrics } from './metrics/daemon-metrics.js';
import { singleNodeDirectory } from './operations/cluster-nodes.js';
import { createDaemonStatus } from './operations/daemon-status.js';
import { Supervisor } from './sessions/supervisor.js';
import { DEFAULT_TIMING, type Timing } from './sessions/timing.js';
import { AuditStore } from './store/audit-store.js';
import { backupDatabase, backupFileIn } from './store/backup.js';
import { openDatabase, type Db } from './store/database.js';
import { daemonIdentity } from './store/daemon-identity.js';
import { nextNodeEpoch } from './store/node-epoch.js';
import { MetaStore } from './store/meta-store.js';
import { acquireStateDirLock } from './store/pid-lock.js';
import { listenForHooks, type HookAppDeps, type HookListener } from './http/hook-listener.js';
import { KeyStore } from './store/key-store.js';
import { MemoryStore } from './store/memory-store.js';
import { SessionStore } from './store/session-store.js';
import { UsageStore } from './store/usage-store.js';
import { prepareStateDir } from './store/state-dir.js';
import { TmuxError } from './tmux/tmux-error.js';
import { TmuxServer } from './tmux/tmux-server.js';
import { AEGIS_VERSION } from './version.js';

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface DaemonOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  logger?: pino.Logger;
  timing?: Partial<Timing>;
  sse?: Partial<SseOptions>;
}

export interface Daemon {
  url: string;
  port: number;
  app: FastifyInstance;
  supervisor: Supervisor;
  /** Where Claude's hooks call back: http://127.0.0.1:<hook port>. */
  hookUrl: string;
  /** Every event the daemon publishes, as SSE clients get them. */
  bus: EventBus;
  tmux: TmuxServer;
  db: Db;
  audit: AuditLog;
  close(options?: { killSessions?: boolean }): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config } = options;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();

  let sessionUser: UnixUser | null;
  try {
    sessionUser = resolveSessionUser(config.sessionUser, process.getuid?.());
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  if (!sessionUser && process.getuid?.() === 0) logger.warn(ROOT_WITHOUT_SESSION_USER);
  if (!config.authToken && !LOOPBACK_HOSTS.has(config.host)) {
    throw new StartupError(`refusing to listen on ${config.host} without AEGIS_AUTH_TOKEN: set a token, or bind to 127.0.0.1`);
  }
  try {
    const opened = prepareStateDir(config.stateDir);
    if (opened) logger.warn({ stateDir: config.stateDir, mode: opened.openedMode.toString(8) }, 'the state dir was open to other users; its mode is now 0700');
  } catch (err) {
    throw new StartupError(`cannot create the state dir ${config.stateDir}, or close it to other users: ${(err as Error).message}`);
  }
  // Everything startup opens, closed in reverse by close(), or at once when a later step fails: nothing
  // is left open or locked, and one step failing does not stop the others.
  const disposals = new Disposals();
  disposals.defer('state-dir lock', acquireStateDirLock(config.stateDir));
  try {
    return await assemble(options, env, logger, startedAt, disposals, sessionUser);
  } catch (err) {
    await disposals.disposeAll((failure) => logger.error({ step: failure.step, err: errorText(failure.error) }, 'closing after a failed start')).catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`EADDRINUSE: ${config.host}:${config.port} is already in use (another Aegis daemon?); use --port or AEGIS_PORT for another port`);
    if (code === 'EACCES') throw new StartupError(`EACCES: not allowed to listen on ${config.host}:${config.port}`);
    throw err;
  }
}

async function assemble(
  options: DaemonOptions,
  env: NodeJS.ProcessEnv,
  logger: pino.Logger,
  startedAt: number,
  disposals: Disposals,
  sessionUser: UnixUser | null,
): Promise<Daemon> {
  const { config } = options;
  const storeFile = join(config.stateDir, 'aegis.db');
  const db = openDatabase(storeFile);
  disposals.defer('database', () => db.close());
  const meta = new MetaStore(db);
  const memory = openMemoryBridge(config, db, logger);
  if (memory) disposals.defer('memory bridge', () => memory.close());
  const bus = new EventBus(config.eventReplaySize, undefined, { weigh: replayWeightOf, max: REPLAY_MAX_WEIGHT });
  bus.onListenerError((err, event) => logger.error({ sessionId: event.sessionId, event: event.type, err: errorText(err) }, 'an event listener failed'));
  const audit = new AuditLog(new AuditStore(db), { includeText: config.audit.includeText, logger: logger.child({ component: 'audit' }) });
  audit.record({ actor: 'system', action: 'config.load', outcome: 'ok', details: { version: AEGIS_VERSION, config: redactConfig(config) } });
  auditCoreEvents(bus, audit);
  const { retentionDays } = config.audit;
  if (retentionDays !== undefined) disposals.defer('audit retention', startAuditRetention(audit, retentionDays, (err) => logger.error({ err: errorText(err) }, 'the audit retention purge failed')));
  const timing: Timing = { ...DEFAULT_TIMING, ...options.timing };
  const identity = daemonIdentity(meta);
  const tmux = new TmuxServer({
    tmuxBin: config.tmuxBin,
    socket: config.tmuxSocket,
    session: config.tmuxSession,
    cols: config.paneCols,
    rows: config.paneRows,
    commandTimeoutMs: timing.tmuxCommandTimeoutMs,
    env,
    identity,
    captureDir: join(config.stateDir, 'captures'),
  });
  disposals.defer('tmux', () => tmux.close());
  let hookBaseUrl = '';
  const keys = new KeyService(new KeyStore(db), { daemonWorkdirs: config.allowedWorkdirs, permissionProfiles: Object.keys(config.permissionProfiles) });
  const supervisor = new Supervisor({
    config,
    tmux,
    repository: new SessionStore(db),
    bus,
    logger: logger.child({ component: 'supervisor' }),
    env,
    hookBaseUrl: () => hookBaseUrl,
    timing,
    sessionUser,
    usageRepository: new UsageStore(db),
    keyBudget: (keyId) => keys.budgetOf(keyId),
  });
  // Sessions run on in tmux when the daemon stops, unless close() is asked to end them.
  let killSessions = false;
  disposals.defer('sessions', () => supervisor.close({ killSessions }));
  const sse = new SseHub(bus, { ...DEFAULT_SSE_OPTIONS, maxStreamsPerKey: config.maxSseStreamsPerKey, ...options.sse });
  const status = createDaemonStatus({ config, supervisor, tmux, proveStoreWritable: () => meta.proveWritable(), storeFile, sseConnections: () => sse.connectionCount, version: AEGIS_VERSION, startedAt });
  const metrics = new DaemonMetrics({
    bus,
    sessionStatuses: () => supervisor.list().map((s) => s.status),
    usage: supervisor.usageTotals,
    sseClients: () => sse.connectionCount,
  });
  disposals.defer('metrics', () => metrics.close());
  // Closed after HTTP (disposals run in reverse): the last requests' use counts are written.
  disposals.defer('api keys', () => keys.close());
  // A revoked key's streams end at once, not at its next request.
  keys.onRevoke((keyId) => sse.closeStreamsOf(keyId));
  // A dashboard logout ends the streams its cookie opened.
  const webSessions = new WebSessions(new MemoryWebSessionRepository(), keys, { ttlMs: config.webSessionHours * 3600_000, authToken: config.authToken });
  webSessions.onLogout((webSession) => sse.closeStreamsOfLogin(webSession));
  const backup = () => backupDatabase(db, backupFileIn(config.stateDir));
  let nodeUrl = '';
  const nodes = singleNodeDirectory({
    id: identity,
    epoch: nextNodeEpoch(meta),
    url: () => nodeUrl,
    sessions: () => supervisor.activeCount(),
    capacity: config.maxSessions,
    labels: config.nodeLabels,
  });
  const app = await buildApp({ config, supervisor, sse, status, logger, keys, audit, backup, metrics, webSessions, nodes, ...(memory ? { memory } : {}) });
  disposals.defer('http', () => app.close());
  // Open streams never end by themselves: they end before the app closes, which waits for its connections.
  disposals.defer('event streams', () => sse.close());

  // tmux first and sessions re-adopted before the first request, so the API never answers from a
  // half-started daemon.
  try {
    await tmux.connect();
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'tmux is not available; sessions cannot start until it is');
  }
  try {
    await supervisor.start();
  } catch (err) {
    // tmux answered neither "here" nor "gone": the recorded sessions may still run in it, and taking
    // them for lost would close their windows. Starting is refused until tmux answers clearly.
    if (err instanceof TmuxError) {
      throw new StartupError(
        `cannot tell whether the sessions recorded in ${config.stateDir} still run: ${err.message}. ` +
          `Aegis does not start rather than take them for lost; check tmux (tmux -L ${config.tmuxSocket} ls) and start again`,
      );
    }
    throw err;
  }

  // The hook address is known before anything is served: a session created through the API gets
  // hook URLs that reach the daemon.
  const timeHook = <T>(elapsedMs: () => number, handle: () => T) => metrics.duringHook(elapsedMs, handle);
  const hookListener = await listenForHooksOnKeptPort({ config, supervisor, logger, timeHook }, meta, logger);
  disposals.defer('hook listener', () => hookListener.close());
  // Closed first: closing a listener ends its held hook calls, and a request whose call ended would be
  // taken as abandoned at the terminal. A stop decides nothing; the next start finds the dialogs.
  disposals.defer('permission requests', () => supervisor.leaveRequestsUndecided());
  hookBaseUrl = `http://127.0.0.1:${hookListener.port}`;

  await app.listen({ host: config.host, port: config.port, listenTextResolver: (address) => `API and dashboard at ${address}` });
  const port = (app.server.address() as { port: number }).port;

  const displayHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${displayHost}:${port}`;
  nodeUrl = config.nodeUrl ?? (UNSPECIFIED_ADDRESSES.has(config.host) ? `http://${hostname()}:${port}` : url);
  logger.info({ url, stateDir: config.stateDir, tmuxSocket: config.tmuxSocket, version: AEGIS_VERSION }, 'Aegis is listening');

  return {
    url,
    port,
    app,
    supervisor,
    hookUrl: hookBaseUrl,
    bus,
    tmux,
    db,
    audit,
    async close(options = {}) {
      const first = !disposals.closing;
      if (first) killSessions = options.killSessions ?? false;
      await disposals.disposeAll((failure) => logger.error({ step: failure.step, err: errorText(failure.error) }, 'a part of the daemon failed to close; the others close all the same'));
      if (first) logger.info({ killSessions }, 'Aegis stopped');
    },
  };
}

/**
 * The replay ring holds at most about this many characters of messages besides its count
 * (`eventReplaySize`): a session writing large messages shortens what can be replayed, not the memory.
 */
const REPLAY_MAX_WEIGHT = 16_000_000;

/** An event's weight in the ring: a message's characters (transcript.ts), and a little for any other. */
function replayWeightOf(event: AegisEvent): number {
  return event.type === 'message' && typeof event.message === 'object' && event.message !== null ? messageWeight(event.message as TranscriptMessage) : 256;
}

/** Bind addresses that stand for every address of the machine: not where anyone else reaches it. */
const UNSPECIFIED_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const HOOK_PORT_KEY = 'hook_port';

/**
 * Claude's hooks call a listener of their own, on 127.0.0.1, on a port kept in the state dir (or
 * `hookPort`): chosen free at the first start, the same after every restart, whatever the API port, so
 * running sessions keep reaching the daemon. If the kept port is taken, another is chosen and the
 * sessions started before fall back to their screens.
 */
async function listenForHooksOnKeptPort(deps: HookAppDeps & { config: Config }, meta: MetaStore, logger: pino.Logger): Promise<HookListener> {
  const { config } = deps;
  const stored = Number(meta.get(HOOK_PORT_KEY)) || undefined;
  // A state dir from before hooks had a listener of their own may name the API port itself.
  const remembered = stored !== undefined && stored === config.port ? undefined : stored;
  let listener: HookListener;
  try {
    listener = await listenForHooks(deps, config.hookPort ?? remembered ?? 0);
  } catch (err) {
    if (config.hookPort !== undefined) throw new StartupError(`cannot listen for hooks on 127.0.0.1:${config.hookPort} (hookPort): ${(err as Error).message}`);
    logger.error({ port: remembered, err: (err as Error).message }, 'the remembered hook port is taken; sessions started before the restart fall back to their screens');
    listener = await listenForHooks(deps, 0);
  }
  if (listener.port !== stored) {
    try {
      meta.set(HOOK_PORT_KEY, String(listener.port));
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'cannot remember the hook port; after a restart, running sessions fall back to their screens');
    }
  }
  return listener;
}

/**
 * The memory bridge, when configured: its entries in the database, the `persistPath` file imported
 * the first time it is found, expired entries purged now and then every `reaperIntervalMs`.
 */
function openMemoryBridge(config: Config, db: Db, logger: pino.Logger): MemoryBridge | undefined {
  if (!config.memoryBridge?.enabled) return undefined;
  const store = new MemoryStore(db);
  const memoryLogger = logger.child({ component: 'memory' });
  const { persistPath } = config.memoryBridge;
  if (persistPath) {
    try {
      logImport(importPersistFile(store, config.memoryBridge, resolve(persistPath), Date.now()), memoryLogger);
    } catch (err) {
      memoryLogger.error({ path: persistPath, err: errorText(err) }, 'cannot store the imported memory entries; the next start tries again');
    }
  }
  const bridge = new MemoryBridge(store, config.memoryBridge, { logger: memoryLogger });
  bridge.purgeExpired();
  bridge.start();
  return bridge;
}
