/**
 * Upkeep of the daemon's sessions, driven by one timer for the whole daemon: idle sessions past their
 * timeout are ended, working sessions without progress are told so, sessions that never reach their
 * prompt are ended, hook requests Claude's screen never showed stop holding their session, windows this daemon opened that no session owns are closed, and the loss of tmux
 * is noticed. It decides from the sessions' facts and tells the sessions; they act.
 */
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { SessionRegistry } from './session-registry.js';
import type { Timing } from './timing.js';
import { policyFor, unseenTooLong, verdictFor } from './verdicts.js';

export interface SessionUpkeepDeps {
  config: Pick<Config, 'idleTimeoutMs' | 'stallThresholdMs' | 'startTimeoutMs' | 'stallAction'>;
  tmux: Pick<TmuxServer, 'connected' | 'identity' | 'listWindows' | 'killWindow' | 'sessionExists' | 'connect'>;
  registry: SessionRegistry;
  logger: Logger;
  timing: Timing;
  /** Ended sessions leaving memory and the store: swept on this tick too. */
  retention?: { tick(now: number): void };
}

export interface OrphanReport {
  found: Array<{ windowId: string; name: string; owner: string }>;
  closed: number;
  /** Windows this daemon did not open (another daemon's on the same socket, or opened by hand): left alone. */
  foreign: Array<{ windowId: string; name: string; daemon: string }>;
}

export class SessionUpkeep {
  private timer: NodeJS.Timeout | null = null;
  private lastSweepAt = Date.now();
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
    this.timer = this.reconnectTimer = null;
  }

  /** One pass over every live session's timestamps. */
  tick(now = Date.now()): void {
    const { config, registry } = this.deps;
    for (const session of registry.all()) {
      if (session.exited) continue;
      const facts = session.reapFacts();
      if (facts.ending) continue;
      if (unseenTooLong(now, facts.unseenRequestSince, this.deps.timing.unseenRequestMs)) session.disownUnseenRequests(now - this.deps.timing.unseenRequestMs);
      const policy = policyFor(facts, config);
      const verdict = verdictFor(now, facts, policy);
      if (verdict?.kind === 'reap') session.endInBackground('reaped', { reaped: { reason: 'idle_timeout', detail: { idleMs: verdict.idleMs, idleTimeoutMs: policy.idleTimeoutMs } } });
      if (verdict?.kind === 'stall') session.apply({ type: 'no_progress', thresholdMs: policy.stallThresholdMs, action: config.stallAction });
      if (verdict?.kind === 'start_timeout') {
        this.deps.logger.warn({ sessionId: session.id, waitedMs: verdict.waitedMs }, 'Claude did not reach its prompt in time; ending the session');
        session.endInBackground('start_failed', { timedOutMs: verdict.waitedMs });
      }
    }
    if (now - this.lastSweepAt >= this.deps.timing.orphanSweepIntervalMs) {
      this.lastSweepAt = now;
      this.sweepOrphans().catch((err: unknown) => this.deps.logger.warn({ err: errorMessage(err) }, 'the orphan window sweep failed'));
    }
    this.deps.retention?.tick(now);
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

  /** The same, for callers that do not wait: a failure is logged. */
  onTmuxDisconnectedQuietly(reason: string): void {
    this.onTmuxDisconnected(reason).catch((err: unknown) => this.deps.logger.error({ err: errorMessage(err) }, 'cannot handle the loss of the tmux connection'));
  }

  /**
   * The control connection ended. If the tmux session still exists only the connection was lost:
   * reconnect and close out the sessions whose windows are gone. If tmux shows it is gone, its
   * sessions died with it. Anything in between (tmux does not answer clearly) is not death: it is
   * logged and looked at again later, with growing pauses.
   */
  async onTmuxDisconnected(reason: string): Promise<void> {
    const { tmux, logger, registry, timing } = this.deps;
    if (this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    try {
      if (await tmux.sessionExists()) {
        logger.warn({ reason }, 'tmux control connection lost; reconnecting');
        await tmux.connect();
        const windows = new Set((await tmux.listWindows({ strict: true })).map((w) => w.windowId));
        for (const session of registry.all()) {
          if (!session.exited && !windows.has(session.windowId)) session.apply({ type: 'window_closed' });
        }
        this.reconnectFailures = 0;
        return;
      }
    } catch (err) {
      const retryMs = Math.min(timing.tmuxRetryMs * 2 ** this.reconnectFailures++, timing.tmuxRetryMaxMs);
      logger.error({ reason, err: errorMessage(err), retryMs }, 'cannot tell whether tmux still holds the sessions; trying again later');
      if (this.stopped) return;
      this.reconnectTimer = setTimeout(() => this.onTmuxDisconnectedQuietly(reason), retryMs);
      this.reconnectTimer.unref();
      return;
    }
    this.reconnectFailures = 0;
    logger.error({ reason }, 'the tmux server is gone; its sessions are marked exited');
    await Promise.all(registry.all().map((session) => session.end('tmux_died')));
  }
}
