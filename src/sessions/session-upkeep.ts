/**
 * Upkeep of the daemon's sessions, driven by one timer for the whole daemon: idle sessions past their
 * timeout are ended, working sessions without progress are marked stalled, windows no session owns
 * are closed, and the loss of tmux is noticed. Sessions are ended here the same way whoever ends them.
 */
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { isProcessAlive, isSameProcess } from '../process-alive.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { LiveSession } from './live-session.js';
import { policyFor, verdictFor } from './reaper.js';
import type { ExitReason } from './session.js';
import type { SessionTracker } from './session-tracker.js';
import type { Timing } from './timing.js';

/** What upkeep needs to know of the Supervisor's sessions. */
export interface UpkeepRegistry {
  sessions(): LiveSession[];
  ownsWindow(windowId: string): boolean;
  /** Launches under way, and how many ever started: an orphan sweep never races a window being made. */
  launches(): { underWay: number; started: number };
}

export interface SessionUpkeepDeps {
  config: Config;
  tmux: TmuxServer;
  bus: EventBus;
  logger: Logger;
  timing: Timing;
  tracker: SessionTracker;
  registry: UpkeepRegistry;
}

export interface OrphanReport {
  found: Array<{ windowId: string; name: string; owner: string }>;
  closed: number;
  /** Windows this daemon did not open (another daemon's on the same socket, or opened by hand): left alone. */
  foreign: Array<{ windowId: string; name: string; daemon: string }>;
}

/** Reaper passes between two orphan sweeps. */
const ORPHAN_SWEEP_TICKS = 60;

export class SessionUpkeep {
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private stopped = false;
  private orphans: OrphanReport = { found: [], closed: 0, foreign: [] };
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectFailures = 0;

  constructor(private readonly deps: SessionUpkeepDeps) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.deps.timing.reaperIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
  }

  /** One pass: idle sessions past their timeout end, working sessions without progress stall. */
  tick(now = Date.now()): void {
    const { config } = this.deps;
    for (const session of this.deps.registry.sessions()) {
      if (session.isExited || session.ending) continue;
      const policy = policyFor(session.record, config);
      const verdict = verdictFor(
        now,
        {
          status: session.record.status,
          statusChangedAt: Date.parse(session.record.statusChangedAt),
          lastProgressAt: session.lastProgressAt,
          lastInputAt: session.lastInputAt,
          busyWithInput: session.busyWithInput,
        },
        policy,
      );
      if (verdict?.kind === 'reap') void this.reap(session, 'idle_timeout', { idleMs: verdict.idleMs, idleTimeoutMs: policy.idleTimeoutMs });
      if (verdict?.kind === 'stall') this.onStall(session, policy.stallThresholdMs);
      if (verdict?.kind === 'start_timeout') void this.failStart(session, verdict.waitedMs);
    }
    if (++this.ticks % ORPHAN_SWEEP_TICKS === 0) void this.sweepOrphans();
  }

  /** Ends a live session: keeps its last screen, marks it exited, closes its window, makes sure Claude is gone. */
  async end(session: LiveSession, reason: ExitReason, detail: { timedOutMs?: number } = {}): Promise<void> {
    if (session.isExited) return;
    session.ending = true;
    const { paneId, windowId, panePid, panePidStartTime } = session.record;
    session.screen = await this.deps.tmux.capture(paneId).catch(() => session.screen);
    this.deps.tracker.markExited(session, reason, null, detail);
    await this.deps.tmux.killWindow(windowId).catch(() => {});
    await this.ensureProcessGone(panePid, panePidStartTime ?? null);
  }

  orphanReport(): OrphanReport {
    return this.orphans;
  }

  /**
   * Closes windows this daemon opened that no live session owns. Windows without this daemon's mark
   * (another daemon's on the same tmux socket, one opened by hand, the placeholder) are only reported.
   */
  async sweepOrphans(): Promise<void> {
    const { tmux, registry, logger } = this.deps;
    if (!tmux.connected || registry.launches().underWay > 0) return;
    const generation = registry.launches().started;
    const windows = (await tmux.listWindows()).filter((w) => !w.keeper);
    const launches = registry.launches();
    if (launches.underWay > 0 || launches.started !== generation) return;
    const found = windows.filter((w) => w.daemon === tmux.identity && !registry.ownsWindow(w.windowId));
    for (const window of found) {
      logger.warn({ windowId: window.windowId, name: window.name, owner: window.owner || null }, 'closing an orphan tmux window');
      await tmux.killWindow(window.windowId).catch(() => {});
    }
    const foreign = windows.filter((w) => w.daemon !== tmux.identity).map(({ windowId, name, daemon }) => ({ windowId, name, daemon }));
    if (foreign.length > 0) logger.debug({ foreign }, 'leaving alone tmux windows this daemon did not open');
    this.orphans = { found: found.map(({ windowId, name, owner }) => ({ windowId, name, owner })), closed: this.orphans.closed + found.length, foreign };
  }

  /**
   * The control connection ended. If the tmux session still exists only the connection was lost:
   * reconnect and close out the sessions whose windows are gone. If tmux shows it is gone, its
   * sessions died with it. Anything in between (tmux does not answer clearly) is not death: it is
   * logged and looked at again later, with growing pauses.
   */
  async onTmuxDisconnected(reason: string): Promise<void> {
    const { tmux, tracker, logger, registry, timing } = this.deps;
    if (this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    try {
      if (await tmux.sessionExists()) {
        logger.warn({ reason }, 'tmux control connection lost; reconnecting');
        await tmux.connect();
        const windows = new Set((await tmux.listWindows({ strict: true })).map((w) => w.windowId));
        for (const session of registry.sessions()) {
          if (!session.isExited && !windows.has(session.record.windowId)) tracker.markExited(session, 'window_closed', null);
        }
        this.reconnectFailures = 0;
        return;
      }
    } catch (err) {
      const retryMs = Math.min(timing.tmuxRetryMs * 2 ** this.reconnectFailures++, timing.tmuxRetryMaxMs);
      logger.error({ reason, err: errorMessage(err), retryMs }, 'cannot tell whether tmux still holds the sessions; trying again later');
      if (this.stopped) return;
      this.reconnectTimer = setTimeout(() => void this.onTmuxDisconnected(reason), retryMs);
      this.reconnectTimer.unref();
      return;
    }
    this.reconnectFailures = 0;
    logger.error({ reason }, 'the tmux server is gone; its sessions are marked exited');
    for (const session of registry.sessions()) tracker.markExited(session, 'tmux_died', null);
  }

  private async reap(session: LiveSession, reason: 'idle_timeout' | 'stalled', detail: Record<string, unknown>): Promise<void> {
    if (session.isExited || session.ending) return;
    session.ending = true;
    this.deps.bus.publish('session_reaped', session.id, { reason, ...detail });
    this.deps.logger.info({ sessionId: session.id, reason, ...detail }, 'session reaped');
    await this.end(session, 'reaped');
  }

  /** Claude never showed its prompt in time: the session ends, keeping its last screen and a hint. */
  private async failStart(session: LiveSession, waitedMs: number): Promise<void> {
    this.deps.logger.warn({ sessionId: session.id, waitedMs }, 'Claude did not reach its prompt in time; ending the session');
    await this.end(session, 'start_failed', { timedOutMs: waitedMs });
  }

  private onStall(session: LiveSession, thresholdMs: number): void {
    const action = this.deps.config.stallAction;
    this.deps.tracker.stall(session, thresholdMs, action);
    if (action === 'interrupt') void session.input(() => this.deps.tmux.pressKeys(session.record.paneId, 'Escape')).catch(() => {});
    if (action === 'kill') void this.reap(session, 'stalled', { thresholdMs });
  }

  /**
   * After its window closed, Claude gets a grace period to exit before it is killed, and only while
   * the pid is still the process the window started (a pid stored before a restart may be another's now).
   */
  private async ensureProcessGone(pid: number, startTime: string | null): Promise<void> {
    if (!pid || !isSameProcess(pid, startTime)) return;
    const deadline = Date.now() + this.deps.timing.killGraceMs;
    while (Date.now() < deadline && isProcessAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
    if (isSameProcess(pid, startTime)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
