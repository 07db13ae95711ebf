/**
 * How the daemon is doing, as plain data: its version and uptime, whether tmux answers, and the
 * diagnostics an operator reads to see why it misbehaves (tmux, the process, the event loop,
 * connections, sessions, the store, the redacted configuration). The composition root builds it from
 * the daemon's parts; a transport (the HTTP API) only asks it. Everything is measured when asked;
 * nothing runs in the background for it.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { redactConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Supervisor } from '../sessions/supervisor.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { checkReadiness, type Readiness } from './readiness.js';

export interface TmuxHealth {
  connected: boolean;
  /** Whether tmux answered a probe over the connection within a short deadline (a stopped or hung server does not). */
  responding: boolean;
  /** tmux's version string ("3.3a"), or null while tmux cannot be asked. */
  version: string | null;
}

export interface DaemonStatus {
  readonly version: string;
  uptimeSeconds(): number;
  /** Whether the tmux server answers, asked with a short deadline; its version is asked once and remembered. */
  tmuxHealth(): Promise<TmuxHealth>;
  /** Whether new work can be taken now, and if not why (readiness.ts). */
  readiness(): Promise<Readiness>;
  /**
   * The whole diagnostics report. The transport counts its own open connections, since only it
   * holds its sockets.
   */
  diagnostics(countTransportConnections: () => Promise<number>): Promise<Diagnostics>;
}

export interface Diagnostics {
  version: string;
  uptimeSeconds: number;
  tmux: {
    connected: boolean;
    responding: boolean;
    version: string | null;
    socket: string;
    session: string;
    /** This daemon's mark on the windows it opens; windows with another (or none) are never closed by it. */
    identity: string;
    /** Null while tmux does not answer. */
    windows: number | null;
    panes: number | null;
    deadPanes: number | null;
    orphans: ReturnType<Supervisor['orphanReport']>;
  };
  process: { pid: number; node: string; rssBytes: number; heapUsedBytes: number; cpuUserMs: number; cpuSystemMs: number };
  eventLoop: { lagMs: number; utilization: number };
  connections: { sse: number; http: number };
  sessions: ReturnType<Supervisor['health']>;
  store: { file: string; bytes: number; walBytes: number };
  config: Record<string, unknown>;
}

export interface DaemonStatusSources {
  config: Config;
  supervisor: Supervisor;
  tmux: TmuxServer;
  /** Writes to the store, throwing when it takes no writes: readiness asks. */
  proveStoreWritable: () => void;
  /** The database file. */
  storeFile: string;
  /** Open event streams. */
  sseConnections: () => number;
  version: string;
  /** When the daemon started, in epoch milliseconds. */
  startedAt: number;
  /** How long health and diagnostics wait for tmux to answer before calling it not responding. */
  tmuxProbeTimeoutMs?: number;
}

/**
 * A healthy tmux answers a probe in milliseconds; one that has not answered in this long is stopped or
 * hung, and health says so at once instead of waiting out a command's whole timeout.
 */
export const TMUX_PROBE_TIMEOUT_MS = 2000;

export function createDaemonStatus(sources: DaemonStatusSources): DaemonStatus {
  const { config, supervisor, tmux, proveStoreWritable, storeFile, sseConnections, version, startedAt, tmuxProbeTimeoutMs = TMUX_PROBE_TIMEOUT_MS } = sources;
  let tmuxVersion: string | null = null;
  const uptimeSeconds = () => Math.floor((Date.now() - startedAt) / 1000);
  // Health asked by many at once (a load balancer's checks, a busy client) shares the probe in flight:
  // every answer still comes from a probe that had not ended when it was asked, and tmux is asked once
  // per round trip rather than once per request (a probe per request held health to a third of
  // fastify's rate, the daemon writing to tmux more than answering HTTP).
  let probing: Promise<boolean> | null = null;
  const probeTmux = () =>
    (probing ??= tmux.responds(tmuxProbeTimeoutMs).finally(() => {
      probing = null;
    }));

  return {
    version,
    uptimeSeconds,

    async tmuxHealth() {
      const [responding, currentVersion] = await Promise.all([probeTmux(), tmuxVersion ?? tmux.version().catch(() => null)]);
      tmuxVersion ??= currentVersion;
      return { connected: tmux.connected, responding, version: tmuxVersion };
    },

    readiness() {
      return checkReadiness({ supervisor, tmux, proveStoreWritable, maxSessions: config.maxSessions, tmuxProbeTimeoutMs });
    },

    async diagnostics(countTransportConnections) {
      // A tmux that does not answer the probe is not asked for its windows: that would wait out the
      // whole command timeout.
      const listing = tmux.responds(tmuxProbeTimeoutMs).then((responding) => (responding ? tmux.listWindows() : null));
      const [currentTmuxVersion, windows, httpConnections, lagMs] = await Promise.all([
        tmux.version().catch(() => null),
        listing,
        countTransportConnections(),
        eventLoopLag(),
      ]);
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      return {
        version,
        uptimeSeconds: uptimeSeconds(),
        tmux: {
          connected: tmux.connected,
          responding: windows !== null,
          version: currentTmuxVersion,
          socket: config.tmuxSocket,
          session: config.tmuxSession,
          identity: tmux.identity,
          windows: windows?.length ?? null,
          panes: windows?.filter((w) => !w.keeper).length ?? null,
          deadPanes: windows?.filter((w) => w.dead).length ?? null,
          orphans: supervisor.orphanReport(),
        },
        process: {
          pid: process.pid,
          node: process.version,
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          cpuUserMs: Math.round(cpu.user / 1000),
          cpuSystemMs: Math.round(cpu.system / 1000),
        },
        eventLoop: { lagMs, utilization: Number(performance.eventLoopUtilization().utilization.toFixed(4)) },
        connections: { sse: sseConnections(), http: httpConnections },
        sessions: supervisor.health(),
        store: { file: storeFile, bytes: fileSize(storeFile), walBytes: fileSize(`${storeFile}-wal`) },
        config: redactConfig(config),
      };
    },
  };
}

/** How late an immediate callback runs right now: the event loop's current backlog. */
function eventLoopLag(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => setImmediate(() => resolve(Number((performance.now() - start).toFixed(2)))));
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
