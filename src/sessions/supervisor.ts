/**
 * The Supervisor owns every session: it starts Claude in a tmux window, re-adopts sessions after a
 * restart, and carries out what callers ask (send, read, interrupt, decide permissions, delete). What
 * sessions do by themselves is followed by the SessionTracker. It knows nothing of HTTP.
 */
import type { Config } from '../config/schema.js';
import { checkRequestEnv, type HookEvent } from '../claude/launch.js';
import type { HookPayload } from '../claude/hook-payloads.js';
import type { TranscriptMessage } from '../claude/transcript.js';
import { AegisError, type ErrorCode } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import type { SessionStore } from '../store/session-store.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { Delivery, type DeliveryResult } from './delivery.js';
import { PermissionDesk } from './permission-desk.js';
import { SessionLauncher, secretMatches, sessionOptions } from './session-launcher.js';
import { SessionTracker } from './session-tracker.js';
import { SessionUpkeep, type OrphanReport } from './session-upkeep.js';
import type { CreateSessionInput } from './inputs.js';
import { LiveSession } from './live-session.js';
import { sessionView, type SessionStatus, type SessionView } from './session.js';
import { DEFAULT_TIMING, type Timing } from './timing.js';
import { resolveWorkDir } from './workdir.js';
import { isReusableFor } from './reuse.js';
import { policyFor } from './reaper.js';
import { sessionHealth, type SessionHealth } from './session-health.js';

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
  private readonly tracker: SessionTracker;
  private readonly launcher: SessionLauncher;
  private readonly upkeep: SessionUpkeep;
  private closed = false;
  /**
   * Launches under way (they hold a place under maxSessions) and how many ever started: an orphan
   * sweep never races a window being made.
   */
  private launching = 0;
  private launchesStarted = 0;

  constructor(private readonly deps: SupervisorDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.launcher = new SessionLauncher(deps);
    this.tracker = new SessionTracker({
      tmux: deps.tmux,
      bus: deps.bus,
      store: deps.store,
      logger: deps.logger,
      timing: this.timing,
      desk: () => this.desk,
      isClosed: () => this.closed,
      onExited: (session) => this.unregister(session),
    });
    this.upkeep = new SessionUpkeep({
      config: deps.config,
      tmux: deps.tmux,
      bus: deps.bus,
      logger: deps.logger,
      timing: this.timing,
      tracker: this.tracker,
      registry: {
        sessions: () => [...this.sessions.values()],
        ownsWindow: (windowId) => this.byWindow.has(windowId),
        launches: () => ({ underWay: this.launching, started: this.launchesStarted }),
      },
    });
    this.desk = new PermissionDesk({
      config: deps.config,
      bus: deps.bus,
      logger: deps.logger,
      tmux: deps.tmux,
      setStatus: (session, to) => this.tracker.setStatus(session, to, { fromHook: true }),
      recheckLater: (session, ms) => this.tracker.recheckLater(session, ms),
      screenNow: (session) => this.tracker.capture(session),
      deliver: (session, text) => this.send(session.id, text),
    });
    deps.tmux.on('paneOutput', (paneId) => {
      const session = this.byPane.get(paneId);
      if (session) this.tracker.scheduleCapture(session);
    });
    deps.tmux.on('paneDied', (paneId, exitStatus) => {
      const session = this.byPane.get(paneId);
      if (session) void this.tracker.onPaneDied(session, exitStatus);
    });
    deps.tmux.on('windowClose', (windowId) => {
      const session = this.byWindow.get(windowId);
      if (session) this.tracker.markExited(session, 'window_closed', null);
    });
    deps.tmux.on('disconnected', (reason) => void this.upkeep.onTmuxDisconnected(reason));
  }

  /** Re-adopts sessions whose windows survived a daemon restart; the rest are marked exited (lost). */
  async start(): Promise<void> {
    const records = this.deps.store.all();
    const live = records.filter((r) => r.status !== 'exited');
    // No tmux server means the windows are gone; a server that cannot be listed must not count as that.
    const windows = live.length > 0 && (await this.deps.tmux.sessionExists()) ? await this.deps.tmux.listWindows({ strict: true }) : [];
    for (const record of records) {
      const session = new LiveSession(record);
      this.sessions.set(record.id, session);
      if (record.status === 'exited') continue;
      const window = windows.find((w) => w.owner === record.id && w.paneId === record.paneId);
      if (!window) {
        this.tracker.markExited(session, 'lost', null);
        continue;
      }
      if (window.dead) {
        // Claude ended while the daemon was away: keep its last screen, close its window.
        session.screen = await this.deps.tmux.capture(window.paneId).catch(() => '');
        this.tracker.markExited(session, 'claude_exited', window.exitStatus);
        await this.deps.tmux.killWindow(window.windowId).catch(() => {});
        continue;
      }
      this.register(session);
      this.tracker.watchTranscript(session);
      this.tracker.readTranscript(session, { publish: false });
      session.turnStart = session.messages.length;
      this.tracker.scheduleCapture(session);
      this.deps.logger.info({ sessionId: record.id, status: record.status }, 'session re-adopted after restart');
    }
    await this.upkeep.sweepOrphans();
    this.upkeep.start();
  }

  /** One upkeep pass now (the daemon-wide timer runs them every second). */
  tick(now = Date.now()): void {
    this.upkeep.tick(now);
  }

  async create(input: CreateSessionInput, ownerKeyId: string | null = null): Promise<CreateResult> {
    const { config } = this.deps;
    const workDir = resolveWorkDir(input.workDir, config.allowedWorkdirs);
    checkRequestEnv(input.env ?? {}, config.allowedRequestEnv);
    if (input.permissionProfile && !Object.hasOwn(config.permissionProfiles, input.permissionProfile)) {
      const known = Object.keys(config.permissionProfiles).join(', ') || 'none configured';
      throw new AegisError('INVALID_REQUEST', `permissionProfile ${input.permissionProfile} is not a configured profile (${known})`, {
        issues: [{ path: 'permissionProfile', message: `unknown profile; known: ${known}` }],
      });
    }

    const wish = { workDir, ownerKeyId, ...sessionOptions(input, config), hasOwnEnv: Object.keys(input.env ?? {}).length > 0 };
    const reusable = [...this.sessions.values()].find((s) => isReusableFor(s, wish));
    if (reusable) {
      if (!input.prompt) return { session: this.view(reusable), reused: true };
      reusable.reserved = true;
      try {
        const promptDelivery = await this.deliverPrompt(reusable, input.prompt);
        return { session: this.view(reusable), reused: true, promptDelivery };
      } finally {
        reusable.reserved = false;
      }
    }

    if (this.activeCount() + this.launching >= config.maxSessions) {
      throw new AegisError('MAX_SESSIONS', `the daemon already runs ${config.maxSessions} sessions (AEGIS_MAX_SESSIONS); end one first`, {
        maxSessions: config.maxSessions,
      });
    }
    this.launching++;
    this.launchesStarted++;
    let session: LiveSession;
    try {
      session = new LiveSession(await this.launcher.launch(input, workDir, ownerKeyId));
      this.sessions.set(session.id, session);
      this.register(session);
      this.tracker.watchTranscript(session);
      // Output printed before the pane was registered went unnoticed; look at the screen once now.
      this.tracker.scheduleCapture(session);
    } finally {
      this.launching--;
    }
    this.deps.bus.publish('session_created', session.id, { session: this.view(session) });
    // A pane that died before it was registered had its one death notice ignored: ask tmux once.
    await this.tracker.checkPaneAlive(session);
    if (!input.prompt) return { session: this.view(session), reused: false };
    return { session: this.view(session), reused: false, promptDelivery: await this.deliverPrompt(session, input.prompt) };
  }

  /**
   * A create's prompt. The session exists whatever becomes of its prompt, so a create answers with the
   * session and says in `promptDelivery` what happened to the prompt, for a new and a reused session alike.
   */
  private async deliverPrompt(session: LiveSession, prompt: string): Promise<DeliveryResult & { code?: ErrorCode }> {
    try {
      return await this.send(session.id, prompt);
    } catch (err) {
      if (!(err instanceof AegisError)) throw err;
      return { delivered: false, attempts: 0, error: err.message, code: err.code };
    }
  }

  list(status?: SessionStatus): SessionView[] {
    return [...this.sessions.values()].filter((s) => !status || s.record.status === status).map((s) => this.view(s));
  }

  get(id: string): SessionView {
    return this.view(this.mustGet(id));
  }

  /**
   * Ends Claude and its window, forgets the session, and returns its final state. Decided, then
   * persisted, then done: when the store cannot forget the session, nothing is ended and the caller
   * hears why; once it has, nothing brings the record back.
   */
  async remove(id: string): Promise<SessionView> {
    const session = this.mustGet(id);
    this.deps.store.remove(id);
    session.forgotten = true;
    this.sessions.delete(id);
    await this.upkeep.end(session, 'deleted');
    session.dispose();
    this.launcher.removeFiles(id);
    return this.view(session);
  }

  /**
   * Sends text to Claude's prompt and waits until Claude confirms it. With an idempotency key, a
   * retry of a send (same key, same text) never types the text twice: it answers from, or goes on
   * with, the first delivery.
   */
  async send(id: string, text: string, { idempotencyKey }: { idempotencyKey?: string | undefined } = {}): Promise<DeliveryResult> {
    const session = this.mustGet(id);
    const earlier = idempotencyKey === undefined ? undefined : session.deliveries.get(idempotencyKey);
    if (earlier) {
      if (earlier.text !== text.replace(/\r\n?/g, '\n')) {
        throw new AegisError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${idempotencyKey} was used for another text in session ${id}`, { idempotencyKey });
      }
      return session.deliverOneAtATime(() => earlier.run());
    }
    // Waiting for the prompt happens outside the delivery queue: start-up dialogs are answered meanwhile.
    await this.waitReady(session);
    return session.deliverOneAtATime(async () => {
      this.checkTakesInput(session);
      const delivery = new Delivery(session, text, { tmux: this.deps.tmux, timing: this.timing, refresh: () => this.tracker.capture(session) });
      if (idempotencyKey !== undefined) session.rememberDelivery(idempotencyKey, delivery);
      return delivery.run();
    });
  }

  read(id: string, after: number, limit: number): ReadResult {
    const session = this.mustGet(id);
    this.tracker.readTranscript(session, { publish: true });
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
    await session.input(() => this.deps.tmux.pressKeys(session.record.paneId, 'Escape'));
    await session.waitUntil(() => session.record.status === 'idle' || session.isExited, this.timing.interruptWaitMs);
    return { interrupted: true, session: this.view(session) };
  }

  async escape(id: string): Promise<SessionView> {
    const session = this.mustGetLive(id);
    await session.input(() => this.deps.tmux.pressKeys(session.record.paneId, 'Escape'));
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
    // A session's secret is worth nothing once the session has ended.
    if (!session || session.isExited || session.ending || !secretMatches(secret, session.record.hookSecretHash)) return false;
    return this.tracker.applyHook(session, event, payload, signal);
  }

  async close({ killSessions = false }: { killSessions?: boolean } = {}): Promise<void> {
    this.closed = true;
    this.upkeep.stop();
    this.desk.close();
    for (const session of this.sessions.values()) {
      if (killSessions && !session.isExited) {
        this.tracker.markExited(session, 'deleted', null);
        await this.deps.tmux.killWindow(session.record.windowId).catch(() => {});
      }
      session.dispose();
    }
  }

  /** Orphan windows seen by the last sweep, for diagnostics. */
  orphanReport(): OrphanReport {
    return this.upkeep.orphanReport();
  }

  /** A session's timers and what to do about its state. */
  sessionHealth(id: string): SessionHealth {
    const session = this.mustGet(id);
    const { config } = this.deps;
    return sessionHealth(session, {
      policy: policyFor(session.record, config),
      stallAction: config.stallAction,
      pendingPermissions: this.desk.listPermissions(id).length,
      pendingQuestion: this.desk.pendingQuestion(id) !== null,
    });
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  private async waitReady(session: LiveSession): Promise<void> {
    if (session.record.status === 'starting') {
      await session.waitUntil(() => session.record.status !== 'starting', this.timing.readyTimeoutMs);
    }
    this.checkTakesInput(session);
  }

  /** Refuses input a session cannot take now, saying why and what to do. */
  private checkTakesInput(session: LiveSession): void {
    const status = session.record.status;
    if (status === 'exited' || session.ending) {
      throw new AegisError('SESSION_EXITED', `session ${session.id} has exited (${session.record.exit?.reason ?? 'ending'}); it cannot take input`, {
        exit: session.record.exit,
      });
    }
    if (status === 'starting') {
      throw new AegisError('SESSION_NOT_READY', `session ${session.id} has not shown its prompt yet; see GET /v1/sessions/${session.id}/pane`, {
        screen: session.screenState.kind,
      });
    }
    if (DIALOG_STATUSES.has(status)) {
      const what = status === 'asking' ? 'a question is waiting for an answer (POST .../answer)' : 'a permission prompt is open (approve or reject it first)';
      throw new AegisError('SESSION_BUSY', `session ${session.id} cannot take input: ${what}`, { status });
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
    if (session.isExited || session.ending) {
      throw new AegisError('SESSION_EXITED', `session ${id} has exited (${session.record.exit?.reason ?? 'unknown'})`, { exit: session.record.exit });
    }
    return session;
  }
}
