/**
 * Follows what each live session does and keeps its state true: hook calls, screen changes and
 * transcript growth move its status, publish its messages, answer its start-up dialogs and notice
 * its end. The Supervisor decides what to do with sessions; the tracker observes them.
 */
import { mkdirSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { HookEvent } from '../claude/launch.js';
import type { HookPayload } from '../claude/hook-payloads.js';
import { parseScreen, screenFingerprint, type ScreenState } from '../claude/screen.js';
import { startFailureHint } from '../claude/start-failure.js';
import { deadPaneStatus, onlyDeadPaneNotice } from '../tmux/pane-screen.js';
import { TranscriptReader } from '../claude/transcript.js';
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import type { SessionStore } from '../store/session-store.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { LiveSession } from './live-session.js';
import type { PermissionDesk } from './permission-desk.js';
import type { ExitReason, SessionStatus } from './session.js';
import type { Timing } from './timing.js';

export interface SessionTrackerDeps {
  tmux: TmuxServer;
  bus: EventBus;
  store: SessionStore;
  logger: Logger;
  timing: Timing;
  desk: () => PermissionDesk;
  isClosed: () => boolean;
  /** Called once when a session has exited, after its state is saved and published. */
  onExited: (session: LiveSession) => void;
}

export class SessionTracker {
  constructor(private readonly deps: SessionTrackerDeps) {}

  private get timing(): Timing {
    return this.deps.timing;
  }

  /** Applies what a hook call says about the session; resolves with the hook's answer. */
  applyHook(session: LiveSession, event: HookEvent, payload: HookPayload, signal: AbortSignal): Record<string, unknown> | Promise<Record<string, unknown>> {
    if (session.isExited) return {};
    if (payload.transcript_path && payload.transcript_path !== session.transcript.path && isTranscriptBeside(payload.transcript_path, session.record.transcriptPath)) {
      // Claude moved to a new transcript (e.g. after /clear); follow it from its start.
      session.transcript = new TranscriptReader(payload.transcript_path);
      session.record.transcriptPath = payload.transcript_path;
      this.watchTranscript(session);
    }
    this.touch(session);
    this.progressed(session);
    this.readTranscript(session, { publish: true });
    if (event !== 'Notification') session.turnEndedByHook = event === 'Stop' || event === 'StopFailure';
    switch (event) {
      case 'UserPromptSubmit':
        this.cancelPendingStop(session);
        session.turnStart = session.messages.length;
        session.acceptedPrompts.push(payload.prompt ?? '');
        this.setStatus(session, 'working', { fromHook: true });
        break;
      case 'PermissionRequest':
        session.changed();
        return this.deps.desk().onPermissionHook(session, payload, signal);
      case 'PostToolUse':
        this.deps.desk().onToolRan(session, payload.tool_name);
        this.setStatus(session, 'working', { fromHook: true });
        break;
      case 'PreToolUse':
        this.setStatus(session, 'working', { fromHook: true });
        break;
      case 'Stop':
        // Claude writes its transcript a moment after this hook: the turn ends once the reply is
        // readable, so a client never sees "idle" before the message that finished the turn.
        this.cancelPendingStop(session);
        session.lastHookStatusAt = Date.now();
        session.pendingStop = {
          lastAssistantMessage: payload.last_assistant_message ?? '',
          timer: setTimeout(() => this.finishStop(session), this.timing.transcriptSettleMs),
        };
        this.settleStop(session);
        break;
      case 'StopFailure':
        // The turn ended in an API error Claude gave up on (no Stop follows): say so, then end it as Stop does.
        this.deps.bus.publish('turn_failed', session.id, { error: payload.error ?? 'unknown', message: payload.last_assistant_message ?? '' });
        this.deps.logger.warn({ sessionId: session.id, error: payload.error }, 'turn failed');
        this.cancelPendingStop(session);
        session.lastHookStatusAt = Date.now();
        session.pendingStop = {
          lastAssistantMessage: payload.last_assistant_message ?? '',
          timer: setTimeout(() => this.finishStop(session), this.timing.transcriptSettleMs),
        };
        this.settleStop(session);
        break;
      case 'Notification':
        this.scheduleCapture(session);
        break;
    }
    session.changed();
    return {};
  }

  private cancelPendingStop(session: LiveSession): void {
    if (session.pendingStop) clearTimeout(session.pendingStop.timer);
    session.pendingStop = null;
  }

  private settleStop(session: LiveSession): void {
    const pending = session.pendingStop;
    if (!pending) return;
    const last = pending.lastAssistantMessage.trim();
    const replied = session.messages
      .slice(session.turnStart)
      .some((m) => m.role === 'assistant' && m.kind === 'text' && m.text.trim() !== '' && last.endsWith(m.text.trim()));
    if (last === '' || replied) this.finishStop(session);
  }

  private finishStop(session: LiveSession): void {
    this.cancelPendingStop(session);
    this.deps.desk().onTurnEnded(session);
    this.readTranscript(session, { publish: true });
    this.setStatus(session, 'idle', { fromHook: true });
  }

  /**
   * Follows the transcript file as Claude writes it (inotify through fs.watch), so messages are
   * published as they are written. The directory is watched because the file appears only with the
   * first prompt; without a watcher, hooks and screen changes still trigger reads.
   */
  watchTranscript(session: LiveSession): void {
    session.transcriptWatcher?.close();
    session.transcriptWatcher = null;
    const dir = dirname(session.transcript.path);
    try {
      mkdirSync(dir, { recursive: true });
      const watcher = watch(dir, (_event, file) => {
        if (!file || file === basename(session.transcript.path)) this.scheduleTranscriptRead(session);
      });
      watcher.on('error', () => watcher.close());
      session.transcriptWatcher = watcher;
    } catch (err) {
      this.deps.logger.warn({ sessionId: session.id, dir, err: errorMessage(err) }, 'cannot watch the transcript directory');
    }
  }

  private scheduleTranscriptRead(session: LiveSession): void {
    if (session.transcriptTimer || session.isExited) return;
    session.transcriptTimer = setTimeout(() => {
      session.transcriptTimer = null;
      this.readTranscript(session, { publish: true });
    }, 20);
  }

  scheduleCapture(session: LiveSession): void {
    if (session.captureTimer || session.isExited || this.deps.isClosed()) return;
    session.captureTimer = setTimeout(() => {
      session.captureTimer = null;
      this.capture(session).catch((err: unknown) => this.deps.logger.error({ sessionId: session.id, err: errorMessage(err) }, 'cannot read the screen'));
    }, this.timing.screenThrottleMs);
  }

  /** Re-reads the screen and the transcript, then reconciles the status with what the screen shows. */
  async capture(session: LiveSession): Promise<ScreenState> {
    if (session.isExited) return session.screenState;
    try {
      session.screen = await this.deps.tmux.capture(session.record.paneId);
    } catch {
      return session.screenState;
    }
    session.screenState = parseScreen(session.screen);
    const fingerprint = screenFingerprint(session.screen);
    if (fingerprint !== session.fingerprint) {
      session.fingerprint = fingerprint;
      this.progressed(session);
    }
    this.readTranscript(session, { publish: true });
    this.reconcile(session, session.screenState);
    session.changed();
    return session.screenState;
  }

  private reconcile(session: LiveSession, screen: ScreenState): void {
    this.deps.desk().onScreen(session, screen);
    switch (screen.kind) {
      case 'trust_dialog':
      case 'api_key_dialog':
      case 'bypass_dialog':
        // Claude asks these before it takes a first prompt. Later the same words can only be text on
        // the screen (a reply, a file, a prompt), and answering them would press keys into the prompt.
        if (session.record.status === 'starting') this.answerStartupDialog(session, screen.kind);
        return;
      case 'permission':
      case 'question':
        return; // the desk sets the status once the request is listed

      case 'working':
        this.setStatus(session, 'working', { fromHook: false });
        return;
      case 'idle':
        this.setStatus(session, 'idle', { fromHook: false });
        return;
      case 'unknown':
        return;
    }
  }

  private answerStartupDialog(session: LiveSession, kind: 'trust_dialog' | 'api_key_dialog' | 'bypass_dialog'): void {
    switch (kind) {
      case 'trust_dialog':
        // The workDir passed the allowed-roots check at creation, so the folder is trusted.
        this.answerDialog(session, ['Down', 'Enter']);
        return;
      case 'api_key_dialog':
        // The key is the daemon's own (its environment); a session nobody watches must not stall on it.
        this.answerDialog(session, ['Up', 'Enter']);
        return;
      case 'bypass_dialog':
        if (session.record.permissionMode === 'bypassPermissions') this.answerDialog(session, ['Down', 'Enter']);
        return;
    }
  }

  /**
   * Answers a start-up dialog once it has been on screen a moment (keys sent while Claude first
   * draws it are lost), then looks again: a dialog that stays is answered again.
   */
  private answerDialog(session: LiveSession, keys: string[]): void {
    const now = Date.now();
    const kind = session.screenState.kind;
    if (session.startupDialog?.kind !== kind) session.startupDialog = { kind, since: now, answeredAt: 0 };
    const dialog = session.startupDialog;
    const due = Math.max(dialog.since + this.timing.dialogSettleMs, dialog.answeredAt + this.timing.dialogRetryMs);
    if (now < due) {
      this.recheckLater(session, due - now);
      return;
    }
    dialog.answeredAt = now;
    this.deps.logger.info({ sessionId: session.id, screen: kind }, 'answering start-up dialog');
    void session.input(() => this.deps.tmux.pressKeys(session.record.paneId, ...keys)).catch(() => {});
    this.recheckLater(session, this.timing.dialogRetryMs);
  }

  /** One look at the screen after `ms`, for states no further output would reveal. */
  recheckLater(session: LiveSession, ms: number): void {
    if (session.recheckTimer || session.isExited || this.deps.isClosed()) return;
    session.recheckTimer = setTimeout(() => {
      session.recheckTimer = null;
      this.scheduleCapture(session);
    }, ms);
  }

  /** Claude did something; a stalled session is working again. */
  progressed(session: LiveSession): void {
    session.lastProgressAt = Date.now();
    if (session.record.status === 'stalled') this.setStatus(session, 'working', { fromHook: true });
  }

  /** No progress for too long: the session is stalled until it progresses again. */
  stall(session: LiveSession, thresholdMs: number, action: string): void {
    if (session.record.status !== 'working') return;
    this.setStatus(session, 'stalled', { fromHook: true });
    const silentMs = Date.now() - session.lastProgressAt;
    this.deps.bus.publish('stalled', session.id, { silentMs, thresholdMs, action });
    this.deps.logger.warn({ sessionId: session.id, silentMs, action }, 'session stalled');
  }

  /**
   * Moves a session to a new status. A hook is the surer signal; for a moment after one, a screen
   * that still shows the old state is not believed, and is looked at again once that moment passes.
   */
  setStatus(session: LiveSession, to: SessionStatus, { fromHook }: { fromHook: boolean }): void {
    const from = session.record.status;
    if (from === 'exited' || from === to) return;
    // While a permission or question waits, nothing but its decision moves the session on.
    if (to !== 'permission_prompt' && to !== 'asking' && this.deps.desk().hasPending(session.id)) return;
    if (fromHook) {
      session.lastHookStatusAt = Date.now();
    } else {
      if (from === 'stalled' && to === 'working') return; // only progress ends a stall
      if (session.pendingStop) return; // the Stop hook already said how this turn ends
      const sinceHook = Date.now() - session.lastHookStatusAt;
      if (sinceHook < this.timing.hookPrecedenceMs) {
        this.recheckLater(session, this.timing.hookPrecedenceMs - sinceHook);
        return;
      }
    }
    const now = new Date().toISOString();
    if (to === 'working' && from !== 'stalled') session.lastProgressAt = Date.now(); // the stall clock starts with the turn
    session.record.status = to;
    session.record.statusChangedAt = now;
    session.record.lastActivityAt = now;
    this.saveQuietly(session);
    this.deps.bus.publish('status_changed', session.id, { from, to });
    session.changed();
  }

  readTranscript(session: LiveSession, { publish }: { publish: boolean }): void {
    const recordsBefore = session.transcript.records;
    let fresh;
    try {
      fresh = session.transcript.readNew();
    } catch (err) {
      this.deps.logger.warn({ sessionId: session.id, path: session.transcript.path, err: errorMessage(err) }, 'cannot read the transcript');
      return;
    }
    if (session.transcript.records === recordsBefore) return;
    this.progressed(session);
    // Records without messages count too: Claude's own cost arrives in one (written as it exits).
    session.record.usage = session.transcript.usage;
    if (fresh.length === 0) return;
    for (const message of fresh) {
      session.messages.push(message);
      // The entry's fields stand in the event itself (its id as messageId) and, whole, under `message`.
      if (publish) {
        const { id: messageId, ...fields } = message;
        this.deps.bus.publish('message', session.id, { ...fields, messageId, message });
      }
    }
    this.touch(session);
    session.changed();
    this.settleStop(session);
  }

  private touch(session: LiveSession): void {
    session.record.lastActivityAt = new Date().toISOString();
  }

  async onPaneDied(session: LiveSession, reportedStatus: number | null): Promise<void> {
    if (session.isExited) return;
    const { paneId, windowId } = session.record;
    // tmux may have replaced a dead pane's screen with its own notice; the last capture then says more.
    const dead = await this.deps.tmux.capture(paneId).catch(() => '');
    if (!onlyDeadPaneNotice(dead)) session.screen = dead;
    this.readTranscript(session, { publish: true });
    // Claude that ends before it ever showed its prompt did not start (onboarding, login, network).
    this.markExited(session, session.record.status === 'starting' ? 'start_failed' : 'claude_exited', reportedStatus);
    // tmux can mark a pane dead before it knows the exit status; the status may follow a moment later.
    if (reportedStatus === null && session.record.exit) {
      const exitStatus = await this.exitStatusOf(paneId, dead);
      if (exitStatus !== null) {
        session.record.exit.exitCode = exitStatus;
        this.saveQuietly(session);
      }
    }
    // The screen is kept in the record; the dead window has nothing more to show.
    await this.deps.tmux.killWindow(windowId).catch(() => {});
  }

  /**
   * A dead pane's exit status, from tmux's format or from the notice tmux writes into the pane
   * (`#{pane_dead_status}` can stay empty for seconds in tmux 3.3a while the notice has it).
   */
  private async exitStatusOf(paneId: string, screen: string): Promise<number | null> {
    const deadline = Date.now() + this.timing.exitStatusWaitMs;
    for (;;) {
      const status = deadPaneStatus(screen) ?? (await this.deps.tmux.paneExitStatus(paneId, 0));
      if (status !== null || Date.now() >= deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
      screen = await this.deps.tmux.capture(paneId).catch(() => '');
    }
  }

  /**
   * Asks tmux once whether the session's pane still lives: a pane that died (or a window that closed)
   * before the session was registered had its one notice ignored.
   */
  async checkPaneAlive(session: LiveSession): Promise<void> {
    if (session.isExited) return;
    const windows = await this.deps.tmux.listWindows({ strict: true }).catch(() => null);
    if (!windows) return;
    const pane = windows.find((w) => w.paneId === session.record.paneId);
    if (!pane) this.markExited(session, 'window_closed', null);
    else if (pane.dead) await this.onPaneDied(session, pane.exitStatus);
  }

  markExited(session: LiveSession, reason: ExitReason, exitCode: number | null, detail: { timedOutMs?: number } = {}): void {
    if (session.isExited) return;
    const from = session.record.status;
    const now = new Date().toISOString();
    session.record.exit = {
      reason,
      exitCode,
      at: now,
      lastScreen: session.screen || null,
      ...(reason === 'start_failed' ? { hint: startFailureHint(session.screen, detail) } : {}),
    };
    session.record.status = 'exited';
    session.record.statusChangedAt = now;
    session.dispose();
    this.deps.desk().onExited(session);
    this.saveQuietly(session);
    this.deps.bus.publish('status_changed', session.id, { from, to: 'exited' });
    this.deps.bus.publish('session_exited', session.id, { reason, exitCode, ...(session.record.exit.hint ? { hint: session.record.exit.hint } : {}) });
    this.deps.logger.info({ sessionId: session.id, reason, exitCode }, 'session exited');
    this.deps.onExited(session);
  }

  save(session: LiveSession): void {
    // A deleted session's record is gone from the store on purpose; its last moments must not bring it back.
    if (session.forgotten) return;
    this.deps.store.save(session.record);
  }

  /** Status changes come from Claude, not from a request: a store failure is logged, never thrown at tmux. */
  saveQuietly(session: LiveSession): void {
    try {
      this.save(session);
    } catch (err) {
      this.deps.logger.error({ sessionId: session.id, err: errorMessage(err) }, 'cannot persist session state');
    }
  }
}

/**
 * A transcript path a hook reports is followed only if it is a transcript in the session's own
 * project directory (Claude starts a new file there after /clear), or the session's own file under
 * another directory name of the same projects root (Claude shortens long directory names its own
 * way): a hook body must not make the daemon read another project's conversation or files elsewhere.
 */
export function isTranscriptBeside(reported: string, own: string): boolean {
  if (!reported.endsWith('.jsonl') || /(^|\/)\.\.?(\/|$)/.test(reported) || reported.includes('\0')) return false;
  if (dirname(reported) === dirname(own)) return true;
  return basename(reported) === basename(own) && dirname(dirname(reported)) === dirname(dirname(own));
}
