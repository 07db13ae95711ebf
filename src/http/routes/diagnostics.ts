/**
 * GET /v1/diagnostics: what an operator needs to see why the daemon misbehaves, in one answer: tmux,
 * the process, the event loop, connections, the store and the effective configuration (redacted).
 * Everything is measured when asked; nothing runs in the background for it.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import { redactConfig } from '../../config/load.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import type { TmuxServer } from '../../tmux/tmux-server.js';
import type { SseHub } from '../sse.js';

export interface DiagnosticsDeps {
  config: Config;
  supervisor: Supervisor;
  tmux: TmuxServer;
  sse: SseHub;
  storeFile: string;
  version: string;
  startedAt: number;
}

export function diagnosticsRoutes(app: FastifyInstance, deps: DiagnosticsDeps): void {
  const { config, supervisor, tmux, sse, storeFile, version, startedAt } = deps;
  app.get('/v1/diagnostics', async () => {
    const [tmuxVersion, windows, httpConnections, lagMs] = await Promise.all([
      tmux.version().catch(() => null),
      tmux.connected ? tmux.listWindows() : Promise.resolve([]),
      new Promise<number>((resolve) => app.server.getConnections((err, count) => resolve(err ? -1 : count))),
      eventLoopLag(),
    ]);
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      version,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      tmux: {
        connected: tmux.connected,
        version: tmuxVersion,
        socket: config.tmuxSocket,
        session: config.tmuxSession,
        /** This daemon's mark on the windows it opens; windows with another (or none) are never closed by it. */
        identity: tmux.identity,
        windows: windows.length,
        panes: windows.filter((w) => !w.keeper).length,
        deadPanes: windows.filter((w) => w.dead).length,
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
      connections: { sse: sse.connectionCount, http: httpConnections },
      sessions: supervisor.health(),
      store: { file: storeFile, bytes: fileSize(storeFile), walBytes: fileSize(`${storeFile}-wal`) },
      config: redactConfig(config),
    };
  });
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
