/**
 * The Supervisor owns every session: it starts Claude in a tmux window, moves each session through
 * its states from hooks (first) and the screen (fallback), follows transcripts, delivers text, and
 * publishes every change on the event bus. It knows nothing of HTTP.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sha256 } from '../auth/tokens.js';
import type { Config } from '../config/schema.js';
import { claudeArgv, claudeEnv, checkRequestEnv, sessionSettings, type HookEvent } from '../claude/launch.js';
import type { HookPayload } from '../claude/hook-payloads.js';
import { parseScreen, type ScreenState } from '../claude/screen.js';
import { TranscriptReader, transcriptPath, type TranscriptMessage } from '../claude/transcript.js';
import { AegisError, errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import type { SessionStore } from '../store/session-store.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { deliverText, type DeliveryResult } from './delivery.js';
import { PermissionDesk } from './permission-desk.js';
import type { CreateSessionInput } from './inputs.js';
import { LiveSession } from './live-session.js';
import { sessionView, type ExitReason, type SessionRecord, type SessionStatus, type SessionView } from './session.js';
import { DEFAULT_TIMING, type Timing } from './timing.js';
import { resolveWorkDir } from './workdir.js';

export interface SupervisorDeps {
  config: Config;
  tmux: TmuxServer;
  store: SessionStore;
  bus: EventBus;
  logger: Logger;
  /** The daemon's environment, inherited by Claude. */
  env: NodeJS.ProcessEnv;
  /** Base URL of the daemon's hook endpoint, known once the HTTP server listens. */
  hookBaseUrl: () => string;
  timing?: Partial<Timing>;
}

export interface CreateResult {
  session: SessionView;
  reused: boolean;
  promptDelivery?: DeliveryResult;
}

export interface ReadResult {
  messages: TranscriptMessage[];
  nextCursor: string;
  status: SessionStatus;
}

/** Statuses in which Claude shows a dialog that typed text would answer instead of reaching the prompt. */
const DIALOG_STATUSES: ReadonlySet<SessionStatus> = new Set(['permission_prompt', 'asking']);

export class Supervisor {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly byPane = new Map<string, LiveSession>();
  private readonly byWindow = new Map<string, LiveSession>();
  private readonly timing: Timing;
  private readonly desk: PermissionDesk;
  private reservedSlots = 0;
  private closed = false;

  constructor(private readonly deps: SupervisorDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.desk = new PermissionDesk({
      config: deps.config,
      bus: deps.bus,
      logger: deps.logger,
      tmux: deps.tmux,
      setStatus: (session, to) => this.setStatus(session, to, { fromHook: true }),
      recheckLater: (session, ms) => this.recheckLater(session, ms),
      deliver: (session, text) => this.send(session.id, text),
    });
    deps.tmux.on('paneOutput', (paneId) => {
      const session = this.byPane.get(paneId);
      if (session) this.scheduleCapture(session);
    });
    deps.tmux.on('paneDied', (paneId, exitStatus) => {
      const session = this.byPane.get(paneId);
      if (session) void this.onPaneDied(session, exitStatus);
    });
    deps.tmux.on('windowClose', (windowId) => {
      const session = this.byWindow.get(windowId);
      if (session) this.markExited(session, 'window_closed', null);
    });
    deps.tmux.on('disconnected', (reason) => {
      deps.logger.error({ reason }, 'tmux control connection lost; live sessions are marked exited');
      for (const session of this.sessions.values()) this.markExited(session, 'tmux_died', null);
    });
  }

  /** Re-adopts sessions whose windows survived a daemon restart; the rest are marked exited (lost). */
  async start(): Promise<void> {
    const records = this.deps.store.all();
    const live = records.filter((r) => r.status !== 'exited');
    const windows = live.length > 0 ? await this.deps.tmux.listWindows() : [];
    for (const record of records) {
      const session = new LiveSession(record);
      this.sessions.set(record.id, session);
      if (record.status === 'exited') continue;
      const window = windows.find((w) => w.owner === record.id && w.paneId === record.paneId);
      if (!window || window.dead) {
        this.markExited(session, window?.dead ? 'claude_exited' : 'lost', window?.exitStatus ?? null);
        continue;
      }
      this.register(session);
      this.watchTranscript(session);
      this.readTranscript(session, { publish: false });
      session.turnStart = session.messages.length;
      this.scheduleCapture(session);
      this.deps.logger.info({ sessionId: record.id, status: record.status }, 'session re-adopted after restart');
    }
  }

  async create(input: CreateSessionInput, ownerKeyId: string | null = null): Promise<CreateResult> {
    const { config } = this.deps;
    const workDir = resolveWorkDir(input.workDir, config.allowedWorkdirs);
    checkRequestEnv(input.env ?? {});
    if (input.permissionProfile && !(input.permissionProfile in config.permissionProfiles)) {
      const known = Object.keys(config.permissionProfiles).join(', ') || 'none configured';
      throw new AegisError('INVALID_REQUEST', `permissionProfile ${input.permissionProfile} is not a configured profile (${known})`, {
        issues: [{ path: 'permissionProfile', message: `unknown profile; known: ${known}` }],
      });
    }

    const reusable = [...this.sessions.values()].find(
      (s) => s.record.status === 'idle' && s.record.workDir === workDir && s.record.ownerKeyId === ownerKeyId,
    );
    if (reusable) {
      const promptDelivery = input.prompt ? await this.send(reusable.id, input.prompt) : undefined;
      return { session: this.view(reusable), reused: true, ...(promptDelivery ? { promptDelivery } : {}) };
    }

    if (this.activeCount() + this.reservedSlots >= config.maxSessions) {
      throw new AegisError('MAX_SESSIONS', `the daemon already runs ${config.maxSessions} sessions (AEGIS_MAX_SESSIONS); end one first`, {
        maxSessions: config.maxSessions,
      });
    }
    this.reservedSlots++;
    let session: LiveSession;
    try {
      session = await this.launch(input, workDir, ownerKeyId);
    } finally {
      this.reservedSlots--;
    }
    this.deps.bus.publish('session_created', session.id, { session: this.view(session) });
    if (!input.prompt) return { session: this.view(session), reused: false };
    const promptDelivery = await this.send(session.id, input.prompt).catch((err: unknown) => ({
      delivered: false,
      attempts: 0,
      error: errorMessage(err),
    }));
    return { session: this.view(session), reused: false, promptDelivery };
  }

  list(status?: SessionStatus): SessionView[] {
    return [...this.sessions.values()].filter((s) => !status || s.record.status === status).map((s) => this.view(s));
  }

  get(id: string): SessionView {
    return this.view(this.mustGet(id));
  }

  /** Ends Claude and its window, forgets the session, and returns its final state. */
  async remove(id: string): Promise<SessionView> {
    const session = this.mustGet(id);
    if (!session.isExited) {
      const pid = session.record.panePid;
      session.screen = await this.deps.tmux.capture(session.record.paneId).catch(() => session.screen);
      this.markExited(session, 'deleted', null);
      await this.deps.tmux.killWindow(session.record.windowId).catch(() => {});
      await this.ensureProcessGone(pid);
    }
    this.sessions.delete(id);
    session.dispose();
    this.deps.store.remove(id);
    rmSync(this.sessionDir(id), { recursive: true, force: true });
    return this.view(session);
  }

  async send(id: string, text: string): Promise<DeliveryResult> {
    const session = this.mustGet(id);
    return session.serialize(async () => {
      await this.waitReady(session);
      return deliverText(session, text, {
        tmux: this.deps.tmux,
        timing: this.timing,
        refresh: () => this.capture(session),
      });
    });
  }

  read(id: string, after: number, limit: number): ReadResult {
    const session = this.mustGet(id);
    this.readTranscript(session, { publish: true });
    const messages = session.messages.slice(after, after + limit);
    return { messages, nextCursor: String(Math.min(after, session.messages.length) + messages.length), status: session.record.status };
  }

  async pane(id: string): Promise<{ text: string; cols: number; rows: number }> {
    const session = this.mustGet(id);
    if (session.isExited) {
      return { text: session.record.exit?.lastScreen ?? session.screen, cols: this.deps.config.paneCols, rows: this.deps.config.paneRows };
    }
    const [text, size] = await Promise.all([this.deps.tmux.capture(session.record.paneId), this.deps.tmux.paneSize(session.record.paneId)]);
    return { text, ...size };
  }

  /** Stops the current turn (Escape, as a person would) and waits briefly for Claude to settle. */
  async interrupt(id: string): Promise<{ interrupted: boolean; session: SessionView }> {
    const session = this.mustGetLive(id);
    const wasBusy = session.record.status === 'working' || session.record.status === 'stalled' || DIALOG_STATUSES.has(session.record.status);
    if (!wasBusy) return { interrupted: false, session: this.view(session) };
    await this.deps.tmux.pressKeys(session.record.paneId, 'Escape');
    await session.waitUntil(() => session.record.status === 'idle' || session.isExited, this.timing.interruptWaitMs);
    return { interrupted: true, session: this.view(session) };
  }

  async escape(id: string): Promise<SessionView> {
    const session = this.mustGetLive(id);
    await this.deps.tmux.pressKeys(session.record.paneId, 'Escape');
    return this.view(session);
  }

  permissions(id: string): { pending: Record<string, unknown>[] } {
    return { pending: this.desk.listPermissions(this.mustGet(id).id) };
  }

  approve(id: string, input: { permissionId?: string | undefined; always?: boolean | undefined }, keyId: string | null): { approved: true; permission: Record<string, unknown> } {
    const session = this.mustGetLive(id);
    return { approved: true, permission: this.desk.view(this.desk.approve(session, input, keyId)) };
  }

  reject(id: string, input: { permissionId?: string | undefined; message?: string | undefined }, keyId: string | null): { rejected: true; permission: Record<string, unknown> } {
    const session = this.mustGetLive(id);
    return { rejected: true, permission: this.desk.view(this.desk.reject(session, input, keyId)) };
  }

  answer(
    id: string,
    input: { questionId?: string | undefined; answer?: string | undefined; optionIndex?: number | undefined },
    keyId: string | null,
  ): { answered: true; question: Record<string, unknown>; answers: Record<string, string> } {
    const session = this.mustGetLive(id);
    const { request, answers } = this.desk.answer(session, input, keyId);
    return { answered: true, question: this.desk.view(request), answers };
  }

  health(): { total: number; byStatus: Record<string, number>; stalled: string[]; idleSeconds: Record<string, number> } {
    const byStatus: Record<string, number> = {};
    const idleSeconds: Record<string, number> = {};
    const stalled: string[] = [];
    const now = Date.now();
    for (const { record } of this.sessions.values()) {
      byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
      if (record.status === 'stalled') stalled.push(record.id);
      if (record.status === 'idle') idleSeconds[record.id] = Math.floor((now - Date.parse(record.statusChangedAt)) / 1000);
    }
    return { total: this.sessions.size, byStatus, stalled, idleSeconds };
  }

  activeCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (!s.isExited) n++;
    return n;
  }

  get totalCount(): number {
    return this.sessions.size;
  }

  /**
   * A hook call from Claude. Returns false when the secret does not belong to the session (the
   * caller answers 401); otherwise applies what the hook says and returns the hook's answer.
   */
  handleHook(
    event: HookEvent,
    sessionId: string,
    secret: string,
    payload: HookPayload,
    signal: AbortSignal = new AbortController().signal,
  ): Record<string, unknown> | Promise<Record<string, unknown>> | false {
    const session = this.sessions.get(sessionId);
    if (!session || !secretMatches(secret, session.record.hookSecretHash)) return false;
    if (session.isExited) return {};
    if (payload.transcript_path && payload.transcript_path !== session.transcript.path) {
      // Claude moved to a new transcript (e.g. after /clear); follow it from its start.
      session.transcript = new TranscriptReader(payload.transcript_path);
      session.record.transcriptPath = payload.transcript_path;
      this.watchTranscript(session);
    }
    this.touch(session);
    this.readTranscript(session, { publish: true });
    switch (event) {
      case 'UserPromptSubmit':
        this.cancelPendingStop(session);
        session.turnStart = session.messages.length;
        session.acceptedPrompts.push(payload.prompt ?? '');
        this.setStatus(session, 'working', { fromHook: true });
        break;
      case 'PermissionRequest':
        session.changed();
        return this.desk.onPermissionHook(session, payload, signal);
      case 'PostToolUse':
        this.desk.onToolRan(session, payload.tool_name);
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
      case 'Notification':
        this.scheduleCapture(session);
        break;
    }
    session.changed();
    return {};
  }

  async close({ killSessions = false }: { killSessions?: boolean } = {}): Promise<void> {
    this.closed = true;
    this.desk.close();
    for (const session of this.sessions.values()) {
      if (killSessions && !session.isExited) {
        this.markExited(session, 'deleted', null);
        await this.deps.tmux.killWindow(session.record.windowId).catch(() => {});
      }
      session.dispose();
    }
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  private async launch(input: CreateSessionInput, workDir: string, ownerKeyId: string | null): Promise<LiveSession> {
    const { config, env, tmux } = this.deps;
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const permissionMode = input.permissionMode ?? config.defaultPermissionMode;
    const dir = this.sessionDir(id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const settingsPath = join(dir, 'settings.json');
    const permissionProfile = input.permissionProfile ?? config.defaultPermissionProfile ?? null;
    const profileTimeout = permissionProfile ? config.permissionProfiles[permissionProfile]?.timeoutMs : undefined;
    const settings = sessionSettings(this.deps.hookBaseUrl(), id, permissionMode, profileTimeout ?? config.permissionTimeoutMs);
    writeFileSync(settingsPath, JSON.stringify(settings, null, 2), { mode: 0o600 });

    const model = input.model ?? config.defaultModel ?? null;
    const sessionEnv = claudeEnv(env, input.env ?? {}, secret);
    if (permissionMode === 'bypassPermissions' && process.getuid?.() === 0) {
      // As root Claude refuses this mode unless told it runs in a sandbox; the caller asked for it explicitly.
      sessionEnv.IS_SANDBOX ??= '1';
    }
    const name = input.name ?? `session-${id.slice(0, 8)}`;
    let pane;
    try {
      pane = await tmux.newWindow({
        name,
        cwd: workDir,
        env: sessionEnv,
        owner: id,
        argv: claudeArgv({ claudeCommand: config.claudeCommand, sessionId: id, settingsPath, permissionMode, model: model ?? undefined }),
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw new AegisError('TMUX_UNAVAILABLE', `cannot open a tmux window: ${errorMessage(err)}`);
    }

    const now = new Date().toISOString();
    const record: SessionRecord = {
      id, name, workDir, status: 'starting', model, permissionMode, permissionProfile,
      createdAt: now, lastActivityAt: now, statusChangedAt: now, ownerKeyId,
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
      exit: null, windowId: pane.windowId, paneId: pane.paneId, panePid: pane.panePid,
      hookSecretHash: hashSecret(secret), transcriptPath: transcriptPath(sessionEnv, workDir, id),
    };
    const session = new LiveSession(record);
    this.sessions.set(id, session);
    this.register(session);
    this.watchTranscript(session);
    this.save(session);
    // Output printed before the pane was registered went unnoticed; look at the screen once now.
    this.scheduleCapture(session);
    this.deps.logger.info({ sessionId: id, workDir, paneId: pane.paneId, permissionMode }, 'session started');
    return session;
  }

  private async waitReady(session: LiveSession): Promise<void> {
    const status = () => session.record.status;
    if (status() === 'starting') {
      await session.waitUntil(() => status() !== 'starting', this.timing.readyTimeoutMs);
    }
    if (status() === 'exited') {
      throw new AegisError('SESSION_EXITED', `session ${session.id} has exited (${session.record.exit?.reason ?? 'unknown'}); it cannot take input`, {
        exit: session.record.exit,
      });
    }
    if (status() === 'starting') {
      throw new AegisError('SESSION_NOT_READY', `session ${session.id} has not shown its prompt yet; see GET /v1/sessions/${session.id}/pane`, {
        screen: session.screenState.kind,
      });
    }
    if (DIALOG_STATUSES.has(status())) {
      const what = status() === 'asking' ? 'a question is waiting for an answer (POST .../answer)' : 'a permission prompt is open (approve or reject it first)';
      throw new AegisError('SESSION_BUSY', `session ${session.id} cannot take input: ${what}`, { status: status() });
    }
  }

  private register(session: LiveSession): void {
    this.byPane.set(session.record.paneId, session);
    this.byWindow.set(session.record.windowId, session);
  }

  private unregister(session: LiveSession): void {
    if (this.byPane.get(session.record.paneId) === session) this.byPane.delete(session.record.paneId);
    if (this.byWindow.get(session.record.windowId) === session) this.byWindow.delete(session.record.windowId);
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
    this.desk.onTurnEnded(session);
    this.readTranscript(session, { publish: true });
    this.setStatus(session, 'idle', { fromHook: true });
  }

  /**
   * Follows the transcript file as Claude writes it (inotify through fs.watch), so messages are
   * published as they are written. The directory is watched because the file appears only with the
   * first prompt; without a watcher, hooks and screen changes still trigger reads.
   */
  private watchTranscript(session: LiveSession): void {
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

  private scheduleCapture(session: LiveSession): void {
    if (session.captureTimer || session.isExited || this.closed) return;
    session.captureTimer = setTimeout(() => {
      session.captureTimer = null;
      void this.capture(session);
    }, this.timing.screenThrottleMs);
  }

  /** Re-reads the screen and the transcript, then reconciles the status with what the screen shows. */
  private async capture(session: LiveSession): Promise<ScreenState> {
    if (session.isExited) return session.screenState;
    try {
      session.screen = await this.deps.tmux.capture(session.record.paneId);
    } catch {
      return session.screenState;
    }
    session.screenState = parseScreen(session.screen);
    this.readTranscript(session, { publish: true });
    this.reconcile(session, session.screenState);
    session.changed();
    return session.screenState;
  }

  private reconcile(session: LiveSession, screen: ScreenState): void {
    this.desk.onScreen(session, screen);
    switch (screen.kind) {
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
    void this.deps.tmux.pressKeys(session.record.paneId, ...keys).catch(() => {});
    this.recheckLater(session, this.timing.dialogRetryMs);
  }

  /** One look at the screen after `ms`, for states no further output would reveal. */
  private recheckLater(session: LiveSession, ms: number): void {
    if (session.recheckTimer || session.isExited || this.closed) return;
    session.recheckTimer = setTimeout(() => {
      session.recheckTimer = null;
      this.scheduleCapture(session);
    }, ms);
  }

  /**
   * Moves a session to a new status. A hook is the surer signal; for a moment after one, a screen
   * that still shows the old state is not believed, and is looked at again once that moment passes.
   */
  private setStatus(session: LiveSession, to: SessionStatus, { fromHook }: { fromHook: boolean }): void {
    const from = session.record.status;
    if (from === 'exited' || from === to) return;
    if (fromHook) {
      session.lastHookStatusAt = Date.now();
    } else {
      if (session.pendingStop) return; // the Stop hook already said how this turn ends
      if (this.desk.hasPendingHook(session.id)) return; // a held request decides what comes next
      const sinceHook = Date.now() - session.lastHookStatusAt;
      if (sinceHook < this.timing.hookPrecedenceMs) {
        this.recheckLater(session, this.timing.hookPrecedenceMs - sinceHook);
        return;
      }
    }
    const now = new Date().toISOString();
    session.record.status = to;
    session.record.statusChangedAt = now;
    session.record.lastActivityAt = now;
    this.saveQuietly(session);
    this.deps.bus.publish('status_changed', session.id, { from, to });
    session.changed();
  }

  private readTranscript(session: LiveSession, { publish }: { publish: boolean }): void {
    const fresh = session.transcript.readNew();
    if (fresh.length === 0) return;
    for (const message of fresh) {
      session.messages.push(message);
      if (publish) this.deps.bus.publish('message', session.id, { message });
    }
    session.record.usage = session.transcript.usage;
    this.touch(session);
    session.changed();
    this.settleStop(session);
  }

  private touch(session: LiveSession): void {
    session.record.lastActivityAt = new Date().toISOString();
  }

  private async onPaneDied(session: LiveSession, reportedStatus: number | null): Promise<void> {
    if (session.isExited) return;
    const { paneId, windowId } = session.record;
    session.screen = await this.deps.tmux.capture(paneId).catch(() => session.screen);
    this.readTranscript(session, { publish: true });
    this.markExited(session, 'claude_exited', reportedStatus);
    // tmux can mark a pane dead before it has reaped the process; the status may follow a moment later.
    if (reportedStatus === null && session.record.exit) {
      const exitStatus = await this.deps.tmux.paneExitStatus(paneId, this.timing.exitStatusWaitMs);
      if (exitStatus !== null) {
        session.record.exit.exitCode = exitStatus;
        this.saveQuietly(session);
      }
    }
    // The screen is kept in the record; the dead window has nothing more to show.
    await this.deps.tmux.killWindow(windowId).catch(() => {});
  }

  private markExited(session: LiveSession, reason: ExitReason, exitCode: number | null): void {
    if (session.isExited) return;
    const from = session.record.status;
    const now = new Date().toISOString();
    session.record.exit = { reason, exitCode, at: now, lastScreen: session.screen || null };
    session.record.status = 'exited';
    session.record.statusChangedAt = now;
    this.unregister(session);
    session.dispose();
    this.desk.onExited(session);
    this.saveQuietly(session);
    this.deps.bus.publish('status_changed', session.id, { from, to: 'exited' });
    this.deps.bus.publish('session_exited', session.id, { reason, exitCode });
    this.deps.logger.info({ sessionId: session.id, reason, exitCode }, 'session exited');
  }

  /** After its window closed, Claude gets a grace period to exit before it is killed. */
  private async ensureProcessGone(pid: number): Promise<void> {
    if (!pid || !isAlive(pid)) return;
    const deadline = Date.now() + this.timing.killGraceMs;
    while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private save(session: LiveSession): void {
    this.deps.store.save(session.record);
  }

  /** Status changes come from Claude, not from a request: a store failure is logged, never thrown at tmux. */
  private saveQuietly(session: LiveSession): void {
    try {
      this.save(session);
    } catch (err) {
      this.deps.logger.error({ sessionId: session.id, err: errorMessage(err) }, 'cannot persist session state');
    }
  }

  private sessionDir(id: string): string {
    return join(this.deps.config.stateDir, 'sessions', id);
  }

  private view(session: LiveSession): SessionView {
    return sessionView(session.record, {
      pendingPermission: this.desk.pendingPermission(session.id),
      pendingQuestion: this.desk.pendingQuestion(session.id),
    });
  }

  private mustGet(id: string): LiveSession {
    const session = this.sessions.get(id);
    if (!session) throw new AegisError('SESSION_NOT_FOUND', `no session ${id}`, { sessionId: id });
    return session;
  }

  private mustGetLive(id: string): LiveSession {
    const session = this.mustGet(id);
    if (session.isExited) {
      throw new AegisError('SESSION_EXITED', `session ${id} has exited (${session.record.exit?.reason ?? 'unknown'})`, { exit: session.record.exit });
    }
    return session;
  }
}

function hashSecret(secret: string): string {
  return sha256(secret).toString('hex');
}

/** Only the secret's hash is kept; the comparison runs in constant time. */
function secretMatches(secret: string, expectedHash: string): boolean {
  const expected = Buffer.from(expectedHash, 'hex');
  return expected.length === 32 && timingSafeEqual(sha256(secret), expected);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
