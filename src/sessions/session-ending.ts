/**
 * How a session ends, in one way, `end(reason)`: its last screen is kept, it becomes `exited` (saved
 * and published), whatever waits for a decision is denied, the parts it owns (timers, watchers, waits)
 * close, and its window is closed with Claude in it (a process that outlives its window is killed).
 * A session also closes without ending, when the daemon stops and Claude runs on, and can be
 * forgotten, when DELETE removed its record, so that its last moments do not write it back.
 */
import { startFailureHint } from '../claude/start-failure.js';
import { Disposals } from '../disposals.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { onlyDeadPaneNotice } from '../tmux/pane-screen.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { deadPaneExitStatus, ensureProcessGone } from './pane-exit.js';
import type { ExitReason, SessionRecord } from './session-record.js';
import type { Timing } from './timing.js';

export interface EndDetail {
  /** The pane's process ended (tmux reported it); the exit status when tmux knew it. */
  paneDied?: boolean;
  exitCode?: number | null;
  /** `start_failed` by the start deadline: how long the session had been starting. */
  timedOutMs?: number;
  /** Ended by the upkeep timer: why, published as `session_reaped` once exited, before `session_exited`. */
  reaped?: { reason: 'idle_timeout' | 'stalled'; detail: Record<string, unknown> };
}

/** Reasons whose window is already gone: nothing is left to capture or close. */
const WINDOW_GONE: ReadonlySet<ExitReason> = new Set(['window_closed', 'tmux_died', 'lost']);

export interface EndingDeps {
  tmux: Pick<TmuxServer, 'capture' | 'paneDeath' | 'killWindow'>;
  timing: Timing;
  publish(type: 'session_exited' | 'session_reaped', sessionId: string, fields: Record<string, unknown>): void;
  logger: Logger;
}

/** What ending asks of the rest of the session. */
export interface EndingHost {
  /** The screen as last read. */
  screenText(): string;
  /** A capture taken as the session ends says more than the last read. */
  keepScreen(text: string): void;
  /** Reads what the transcript still holds (Claude writes its last records as it exits). */
  readRestOfTranscript(): Promise<void>;
  /** Moves the status to `exited` (saved and published); false when the transitions table refuses. */
  becomeExited(): boolean;
  /** Denies whatever waits for a decision. */
  denyWaiting(): void;
  save(): void;
}

export class SessionEnding {
  /** What the session owns, closed when it ends or the daemon stops, whichever comes first. */
  private readonly parts = new Disposals();
  private readonly endedListeners = new Set<() => void>();
  private started = false;
  private dropped = false;
  private daemonStopped = false;

  constructor(
    private readonly record: SessionRecord,
    private readonly deps: EndingDeps,
    private readonly host: EndingHost,
  ) {}

  /** `close` runs when the session ends or closes; the last owned closes first. */
  own(part: string, close: () => void): void {
    this.parts.defer(part, close);
  }

  /** Something (the reaper, DELETE, a start deadline, Claude exiting) has begun to end the session. */
  get begun(): boolean {
    return this.started;
  }

  /** The parts the session owns are closed: it exited, or the daemon stopped. */
  get closed(): boolean {
    return this.parts.closing;
  }

  /** DELETE removed the record from the store: nothing may write it back. */
  get forgotten(): boolean {
    return this.dropped;
  }

  /** Called once when the session has ended (its state saved and published). */
  onEnded(listener: () => void): void {
    this.endedListeners.add(listener);
  }

  private get exited(): boolean {
    return this.record.status === 'exited';
  }

  async end(reason: ExitReason, detail: EndDetail = {}): Promise<void> {
    if (this.exited) return;
    this.started = true;
    if (WINDOW_GONE.has(reason)) {
      this.finish(reason, null, detail);
      return;
    }
    const { paneId, windowId, panePid, panePidStartTime } = this.record;
    const lastScreen = await this.deps.tmux.capture(paneId).catch(() => '');
    if (this.exited) return;
    // tmux may replace a dead pane's screen with its own notice; the last read then says more.
    if (!(detail.paneDied && onlyDeadPaneNotice(lastScreen)) && lastScreen) this.host.keepScreen(lastScreen);
    if (detail.paneDied) await this.host.readRestOfTranscript();
    // The exit status is learned before the session is published exited: the exit it publishes, and
    // keeps, never changes after.
    let exitCode = detail.exitCode ?? null;
    if (detail.paneDied && exitCode === null) exitCode = await deadPaneExitStatus(this.deps.tmux, paneId, lastScreen, this.deps.timing, () => this.daemonStopped);
    if (this.exited) return;
    this.finish(reason, exitCode, detail);
    await this.deps.tmux.killWindow(windowId).catch(() => {});
    if (!detail.paneDied) await ensureProcessGone(panePid, panePidStartTime, this.deps.timing);
  }

  /** Ends the session for a signal: nobody awaits it, so a failure is logged. */
  endInBackground(reason: ExitReason, detail: EndDetail = {}): void {
    this.end(reason, detail).catch((err: unknown) => this.deps.logger.error({ reason, err: errorMessage(err) }, 'cannot end the session'));
  }

  /** The daemon stops without ending the session: what it owns closes, Claude runs on. */
  close(): void {
    this.daemonStopped = true;
    this.release();
  }

  /** DELETE removed the record from the store: the session's last moments must not bring it back. */
  forget(): void {
    this.dropped = true;
  }

  /** Exits: keeps the last screen and why, denies what waits, closes everything the session owns. */
  private finish(reason: ExitReason, exitCode: number | null, detail: EndDetail): void {
    if (this.exited) return;
    const lastScreen = this.host.screenText();
    this.record.exit = {
      reason,
      exitCode,
      at: new Date().toISOString(),
      lastScreen: lastScreen || null,
      ...(reason === 'start_failed' ? { hint: startFailureHint(lastScreen, { ...detail, exitCode }) } : {}),
    };
    if (!this.host.becomeExited()) return;
    this.release();
    this.host.denyWaiting();
    // Published once the session is exited: a client that reads the session on this event sees the exit.
    if (detail.reaped) {
      const reaped = { reason: detail.reaped.reason, ...detail.reaped.detail };
      this.deps.publish('session_reaped', this.record.id, reaped);
      this.deps.logger.info(reaped, 'session reaped');
    }
    this.deps.publish('session_exited', this.record.id, { reason, exitCode, ...(this.record.exit.hint ? { hint: this.record.exit.hint } : {}) });
    this.deps.logger.info({ reason, exitCode }, 'session exited');
    for (const listener of this.endedListeners) listener();
    this.endedListeners.clear();
  }

  private release(): void {
    this.parts
      .disposeAll(({ step, error }) => this.deps.logger.error({ part: step, err: errorMessage(error) }, 'cannot close a part of the session'))
      .catch(() => {}); // each failure was logged as it happened
  }
}
