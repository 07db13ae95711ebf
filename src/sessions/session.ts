/**
 * One Claude Code session, and the only owner of its state. It keeps its record private and is made
 * of parts, each with a file of its own: what it sees (`screen-watch.ts`, `conversation.ts`), what it
 * types (`session-input.ts`, one input queue for every keystroke), what waits for a decision
 * (`session-permissions.ts`), which signal sets its status (`status-arbiter.ts`, where every status
 * change is saved and published), the dialogs it answers while it starts (`startup-dialogs.ts`) and
 * how it ends (`session-ending.ts`). This file builds the parts, tells each what its signals mean, and
 * is what callers hold.
 */
import type { HookPayload } from '../claude/hook-payloads.js';
import type { ScreenState } from '../claude/screen.js';
import { showsFirstRunScreen } from '../claude/start-failure.js';
import { INTERRUPT } from '../claude/terminal-ui.js';
import { turnFailureHint } from '../claude/turn-failure.js';
import { isTranscriptBeside, type TranscriptMessage } from '../claude/transcript.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { AnswerInput } from '../permissions/answers.js';
import type { PermissionBroker } from '../permissions/broker.js';
import type { PermissionSettings } from '../permissions/policy.js';
import type { BudgetAction } from '../config/schema.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { Conversation } from './conversation.js';
import type { DeliveryResult } from './delivery.js';
import { RunningTools } from './running-tools.js';
import { SaveSoon } from './save-soon.js';
import { ScreenWatch, type ScreenRead } from './screen-watch.js';
import { SessionEnding, type EndDetail } from './session-ending.js';
import { SessionInput } from './session-input.js';
import { SessionPermissions } from './session-permissions.js';
import { accountOf, sessionView, type ExitReason, type RememberedCreate, type SessionRecord, type SessionStatus, type SessionView } from './session-record.js';
import type { SessionRepository } from './session-repository.js';
import { SessionUsageTracker, type UsageContext } from './session-usage.js';
import type { Signal } from './signals.js';
import { StartupDialogs } from './startup-dialogs.js';
import { StatusArbiter } from './status-arbiter.js';
import { DEFAULT_TERMINAL_QUEUE_BYTES, TerminalFeed, type TerminalSink, type TerminalWatch } from './terminal-feed.js';
import type { Timing } from './timing.js';
import type { ReapSubject } from './verdicts.js';
import { Waiters } from './waiters.js';

export type { EndDetail } from './session-ending.js';

/** What a session asks of tmux, always by its own pane and window ids. */
export type SessionTmux = Pick<TmuxServer, 'capture' | 'paneSize' | 'pressKeys' | 'pressKey' | 'typeText' | 'paste' | 'killWindow' | 'paneDeath' | 'listWindows' | 'onPaneBytes' | 'wantOutput' | 'paneSnapshot'>;

export type PublishEvent = (type: 'status_changed' | 'message' | 'session_exited' | 'session_reaped' | 'stalled' | 'turn_failed' | 'budget_warning' | 'budget_exceeded', sessionId: string, fields: Record<string, unknown>) => void;

/** What every session shares: collaborators and policy, built once by the supervisor. */
export interface SessionContext {
  tmux: SessionTmux;
  repository: Pick<SessionRepository, 'save' | 'remove'>;
  publish: PublishEvent;
  broker: PermissionBroker;
  permissions: PermissionSettings;
  /** The size windows are opened with. */
  paneSize: { cols: number; rows: number };
  timing: Timing;
  logger: Logger;
  /** The usage ledger, prices and budget policy. */
  usage: UsageContext;
}

/** How many creates by Idempotency-Key a session remembers (a create that reuses a session adds one). */
const REMEMBERED_CREATES = 20;

export class Session {
  private readonly record: SessionRecord;
  private readonly log: Logger;
  private readonly screen: ScreenWatch;
  private readonly conversation: Conversation;
  private readonly input: SessionInput;
  private readonly waiters = new Waiters();
  private readonly requests: SessionPermissions;
  private readonly runningTools = new RunningTools();
  private readonly usage: SessionUsageTracker;
  /** Usage and activity are saved a moment after they change, not only with the next status. */
  private readonly saveSoon: SaveSoon;
  private readonly arbiter: StatusArbiter;
  private readonly startupDialogs: StartupDialogs;
  private readonly ending: SessionEnding;
  private readonly terminal: TerminalFeed;
  /** The last transcript path refused, so a hook that keeps naming it is logged once. */
  private refusedTranscript: string | null = null;

  constructor(
    record: SessionRecord,
    private readonly context: SessionContext,
  ) {
    this.record = { ...record };
    this.log = context.logger.child({ sessionId: record.id });
    const { timing } = context;
    this.saveSoon = new SaveSoon(timing.usageSaveMs, () => this.save());
    this.usage = new SessionUsageTracker(context.usage, {
      id: record.id, account: accountOf(record), maxCostUsd: record.maxCostUsd, maxTokens: record.maxTokens,
      publish: (type, fields) => context.publish(type, this.id, { ...fields }),
      stop: (action) => this.stopForBudget(action),
      changed: (usage) => {
        this.record.usage = usage;
        this.saveSoon.schedule();
      },
    });
    this.arbiter = new StatusArbiter(this.record, { timing, logger: this.log }, {
      requestWaiting: () => this.requests.waiting(),
      turnEnding: () => this.conversation.endingTurn,
      recheckScreenIn: (ms) => this.screen.recheckIn(ms),
      save: () => this.save(),
      changed: () => this.waiters.changed(),
      publishChange: (from, to) => context.publish('status_changed', this.id, { from, to }),
    });
    this.ending = new SessionEnding(this.record, { tmux: context.tmux, timing, publish: context.publish, logger: this.log }, {
      screenText: () => this.screen.text,
      keepScreen: (text) => {
        this.screen.text = text;
      },
      readRestOfTranscript: () => this.conversation.readAll(),
      becomeExited: () => this.arbiter.transition('exited'),
      denyWaiting: () => this.requests.sessionEnded(),
      save: () => this.save(),
    });
    this.terminal = new TerminalFeed(record.paneId, context.tmux, { maxQueueBytes: DEFAULT_TERMINAL_QUEUE_BYTES, onError: (err) => this.log.warn({ err: errorMessage(err) }, 'cannot capture the screen for a terminal viewer') });
    this.ending.own('terminal viewers', () => this.terminal.close(this.exited ? 'session_exited' : 'daemon_stopping'));
    this.ending.own('waits', () => this.waiters.close());
    this.ending.own('pending save', () => this.saveSoon.cancel());
    this.screen = new ScreenWatch(record.paneId, {
      capture: (paneId) => context.tmux.capture(paneId),
      wantOutput: (paneId) => context.tmux.wantOutput(paneId),
      timing,
      onRead: (read) => this.apply({ type: 'screen', ...read }),
      onError: (err) => this.log.error({ err: errorMessage(err) }, 'cannot read the screen'),
    });
    this.conversation = new Conversation([...record.earlierTranscripts, record.transcriptPath], { timing, logger: this.log }, {
      grew: () => this.arbiter.progressed(),
      counted: (tally) => this.usage.update(tally),
      said: (messages, publish) => {
        this.runningTools.saw(messages);
        // Each entry's fields stand in the event itself (its id as messageId) and, whole, under `message`.
        if (publish) for (const message of messages) this.context.publish('message', this.id, { ...withoutId(message), messageId: message.id, message });
        this.touch();
        this.waiters.changed();
      },
      turnFinished: () => {
        // A Stop never ends a turn the transcript shows running: the real one comes after the tool's result.
        if (this.runningTools.any) return;
        this.requests.turnEnded();
        this.arbiter.set('idle', { fromHook: true });
        this.waiters.changed();
      },
    });
    this.ending.own('transcript watch', () => this.conversation.close());
    this.ending.own('screen watch', () => this.screen.close());
    this.input = new SessionInput(
      {
        id: record.id,
        paneId: record.paneId,
        status: () => this.record.status,
        exitInfo: () => this.record.exit,
        takesNoInput: () => this.exited || this.ending.begun || this.ending.closed,
        exited: () => this.exited,
        gone: () => this.gone,
        screenState: () => this.screen.state,
        screenText: () => this.screen.text,
        readScreen: () => this.screen.readNow(),
        untilScreen: (test, timeoutMs) => this.untilScreen(() => test(this.screen.state), timeoutMs),
        acceptedPrompts: () => this.conversation.acceptedPrompts,
        transcriptMark: () => this.conversation.mark(),
        waitUntil: (condition, timeoutMs) => this.waiters.until(condition, timeoutMs),
        paneVanished: () => this.end('window_closed'),
        rememberedDeliveries: () => this.record.deliveries,
        saveDeliveries: (deliveries, { mustKeep = false } = {}) => {
          if (mustKeep && !this.ending.forgotten) return this.keepNow('deliveries', deliveries);
          this.record.deliveries = deliveries;
          this.save();
        },
      },
      { tmux: context.tmux, timing, paneSize: context.paneSize },
    );
    this.startupDialogs = new StartupDialogs({ timing, logger: this.log }, {
      status: () => this.record.status,
      permissionMode: () => this.record.permissionMode,
      recheckScreenIn: (ms) => this.screen.recheckIn(ms),
      keystrokes: (batch) => this.input.keystrokes(batch),
    });
    this.requests = new SessionPermissions(
      { broker: context.broker, settings: context.permissions, timing, logger: context.logger },
      {
        id: record.id,
        permissionProfile: () => this.record.permissionProfile,
        gone: () => this.gone,
        dialogsCanShow: () => this.arbiter.dialogsCanShow,
        requestsChanged: (status) => {
          this.arbiter.set(status, { fromHook: true });
          this.waiters.changed();
        },
        followScreen: () => this.screen.schedule(),
        recheckScreenIn: (ms) => this.screen.recheckIn(ms),
        readScreen: () => this.screen.readNow(),
        keystrokes: (batch) => this.input.keystrokes(batch),
        send: (text) => this.input.send(text),
        untilScreen: (test) => this.untilScreen(() => test(this.screen.state), timing.dialogLeaveMs),
        untilScreenText: (test) => this.untilScreen(() => test(this.screen.text), timing.dialogLeaveMs),
        rememberedRequests: () => this.record.openRequests,
        saveRequests: (requests) => {
          this.record.openRequests = requests;
          this.save();
        },
      },
    );
  }

  // ── Facts ──────────────────────────────────────────────────────────────────────────────────────

  get id(): string {
    return this.record.id;
  }

  get status(): SessionStatus {
    return this.record.status;
  }

  get paneId(): string {
    return this.record.paneId;
  }

  get windowId(): string {
    return this.record.windowId;
  }

  /** Whom the session's usage is charged to: its key's id, `master` or `local`. */
  get account(): string {
    return accountOf(this.record);
  }

  /** The API key that created the session (null: the master token or the open mode). */
  get ownerKeyId(): string | null {
    return this.record.ownerKeyId;
  }

  get workDir(): string {
    return this.record.workDir;
  }

  get exited(): boolean {
    return this.record.status === 'exited';
  }

  get gone(): boolean {
    return this.exited || this.ending.closed;
  }

  /** The contract's Session object. */
  view(): SessionView {
    return sessionView(this.record, this.requests.firstPending());
  }

  /** What reuse looks at: the record, and whether anything else has a claim on the session. */
  reuseFacts() {
    return { record: structuredClone(this.record), ending: this.ending.begun, reserved: this.input.reserved, busyWithInput: this.input.busy };
  }

  /** What the upkeep timer looks at. */
  reapFacts(): ReapSubject & { idleTimeoutMs: number | null; stallThresholdMs: number | null; ending: boolean; unseenRequestSince: number | null } {
    return {
      unseenRequestSince: this.requests.unseenSince(),
      status: this.record.status,
      statusChangedAt: Date.parse(this.record.statusChangedAt),
      lastProgressAt: this.arbiter.lastProgressAt,
      lastInputAt: this.input.lastInputAt,
      busyWithInput: this.input.busy,
      idleTimeoutMs: this.record.idleTimeoutMs,
      stallThresholdMs: this.record.stallThresholdMs,
      ending: this.ending.begun,
    };
  }

  /** Held hook requests opened before `openedBefore` that the screen never showed stop holding the session. */
  disownUnseenRequests(openedBefore: number): void {
    this.requests.disownUnseen(openedBefore);
  }

  /** Facts for the session's health: the record's timers, its last screen, what is pending. */
  healthFacts() {
    return {
      // A copy: the record is the Session's alone to change.
      record: structuredClone(this.record),
      lastProgressAt: this.arbiter.lastProgressAt,
      screen: this.screen.text,
      pendingPermissions: this.requests.count('permission'),
      pendingQuestion: this.requests.count('question') > 0,
      transcriptProblem: this.conversation.problem,
    };
  }

  matchesSecret(check: (hash: string) => boolean): boolean {
    return !this.exited && !this.ending.begun && check(this.record.hookSecretHash);
  }

  /** Called once when the session has ended (its state saved and published). */
  onEnded(listener: () => void): void {
    this.ending.onEnded(listener);
  }

  // ── Life ───────────────────────────────────────────────────────────────────────────────────────

  /** Starts observing a session whose Claude was just started, or re-adopted after a restart. */
  observe({ readTranscript }: { readTranscript: boolean }): void {
    // Re-adopted, what the transcript already holds is the past, not news.
    this.conversation.watch({ pastIsNews: !readTranscript });
    // Output printed before the pane was known went unnoticed; look at the screen once now.
    this.screen.schedule();
    this.screen.watchWhile(() => this.record.status === 'starting');
  }

  /** Asks tmux once whether the pane still lives: one that died before it was known had its notice ignored. */
  async checkPaneAlive(): Promise<void> {
    if (this.exited) return;
    const windows = await this.context.tmux.listWindows({ strict: true }).catch(() => null);
    if (!windows) return;
    const pane = windows.find((w) => w.paneId === this.paneId);
    if (!pane) await this.end('window_closed');
    else if (pane.dead) this.apply({ type: 'pane_died', exitStatus: pane.exitStatus });
  }

  /** The pane printed something. */
  onOutput(): void {
    this.screen.schedule(this.record.status === 'working' ? this.context.timing.workingScreenMs : undefined);
  }

  /** Applies what an observer saw. Signals to a session that has exited change nothing. */
  apply(signal: Signal): void {
    if (this.exited || this.ending.closed) return;
    switch (signal.type) {
      case 'screen':
        this.onScreen(signal);
        break;
      case 'pane_died':
        this.endInBackground(this.record.status === 'starting' ? 'start_failed' : 'claude_exited', { paneDied: true, exitCode: signal.exitStatus });
        break;
      case 'window_closed':
        this.endInBackground('window_closed');
        break;
      case 'no_progress':
        this.stall(signal.thresholdMs, signal.action);
        break;
      default:
        this.onHookSignal(signal);
    }
    this.waiters.changed();
  }

  /** Ends the session, the one way a session ends (`session-ending.ts`). */
  end(reason: ExitReason, detail: EndDetail = {}): Promise<void> {
    return this.ending.end(reason, detail);
  }

  /** Ends the session for a signal: nobody awaits it, so a failure is logged. */
  endInBackground(reason: ExitReason, detail: EndDetail = {}): void {
    this.ending.endInBackground(reason, detail);
  }

  /** The daemon stops without ending the session: its timers, watchers and waits close, Claude runs on. */
  close(): void {
    this.saveSoon.flush();
    this.ending.close();
  }

  /**
   * DELETE: the record leaves the store (when the store fails, that is thrown and nothing changes), and
   * the session's last moments must not bring it back.
   */
  forget(): void {
    this.context.repository.remove(this.id);
    this.ending.forget();
  }

  /** Saves the record now, for a caller that must know it is saved (a launch): a failure is thrown. */
  persist(): void {
    this.context.repository.save(this.record);
  }

  /** The create by Idempotency-Key `key` that made or reused this session, if one did. */
  createdBy(key: string): RememberedCreate | undefined {
    return this.record.creates.find((create) => create.key === key);
  }

  /** Keeps a create's Idempotency-Key with the record, in the store before its prompt is typed; throws (keeping nothing) when the store takes no writes. */
  rememberCreate(create: RememberedCreate): void {
    this.keepNow('creates', [...this.record.creates, create].slice(-REMEMBERED_CREATES));
  }

  /** Sets a field of the record and saves it now; when the store takes no writes, the field is put back and the error thrown. */
  private keepNow<K extends keyof SessionRecord>(field: K, value: SessionRecord[K]): void {
    const before = this.record[field];
    this.record[field] = value;
    try {
      this.persist();
    } catch (err) {
      this.record[field] = before;
      throw err;
    }
  }

  // ── What callers ask ───────────────────────────────────────────────────────────────────────────

  send(text: string, options: { idempotencyKey?: string | undefined } = {}): Promise<DeliveryResult> {
    this.usage.checkSend();
    return this.input.send(text, options);
  }

  sendAsReused(prompt: string, options: { idempotencyKey?: string | undefined } = {}): Promise<DeliveryResult> {
    return this.input.sendAsReused(prompt, options);
  }

  /** A page of the conversation, over all the session's transcripts, read from them as needed. */
  async read(after: number, limit: number): Promise<{ messages: TranscriptMessage[]; nextCursor: string; status: SessionStatus }> {
    const page = await this.conversation.page(after, limit);
    return { ...page, status: this.record.status };
  }

  pane(): Promise<{ text: string; cols: number; rows: number }> {
    return this.input.pane();
  }

  /** Stops the current turn (Escape, as a person would) and waits briefly for Claude to settle. */
  async interrupt(): Promise<{ interrupted: boolean; session: SessionView }> {
    const interrupted = await this.input.interrupt();
    return { interrupted, session: this.view() };
  }

  /** The live terminal (terminal-feed.ts): the screen first, then what the pane prints, until the session ends. */
  watchTerminal(sink: TerminalSink): TerminalWatch {
    this.input.checkLive();
    return this.terminal.watch(sink);
  }

  /** Types a terminal's keystrokes into the pane as they are (escape sequences, CR), through the input queue. */
  typeKeys(data: string): Promise<void> {
    return this.input.typeLiteral(data);
  }

  async escape(): Promise<SessionView> {
    await this.input.escape();
    return this.view();
  }

  permissions(): { pending: Record<string, unknown>[] } {
    return { pending: this.requests.list() };
  }

  async approve(input: { permissionId?: string | undefined; always?: boolean | undefined }, keyId: string | null): Promise<{ approved: true; permission: Record<string, unknown> }> {
    this.input.checkLive();
    return { approved: true, permission: await this.requests.approve(input, keyId) };
  }

  async reject(input: { permissionId?: string | undefined; message?: string | undefined }, keyId: string | null): Promise<{ rejected: true; permission: Record<string, unknown> }> {
    this.input.checkLive();
    return { rejected: true, permission: await this.requests.reject(input, keyId) };
  }

  async answer(input: AnswerInput & { questionId?: string | undefined }, keyId: string | null): Promise<{ answered: true; question: Record<string, unknown>; answers: Record<string, string> }> {
    this.input.checkLive();
    return { answered: true, ...(await this.requests.answer(input, keyId)) };
  }

  /**
   * Claude's PermissionRequest hook: the request waits for an API client, a policy rule, the timeout,
   * or Claude giving up on the hook (`abandoned`), and the hook is answered with the decision.
   */
  requestPermission(payload: HookPayload, abandoned: AbortSignal): Promise<Record<string, unknown>> {
    this.hookArrived(payload, { endsTurn: false });
    const answer = this.requests.fromHook(payload, abandoned);
    this.waiters.changed();
    return answer;
  }

  /** Reads the screen now (a test, or a part of the session, that needs it current). */
  readScreen(): Promise<ScreenState> {
    return this.screen.readNow();
  }

  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.waiters.until(condition, timeoutMs);
  }

  // ── Signals ────────────────────────────────────────────────────────────────────────────────────

  private onHookSignal(signal: Exclude<Signal, { type: 'screen' | 'pane_died' | 'window_closed' | 'no_progress' }>): void {
    switch (signal.type) {
      case 'transcript_moved':
        this.transcriptMoved(signal.path);
        return;
      case 'notified':
        this.hookArrived(null, { endsTurn: null });
        this.screen.schedule();
        return;
      // The status first: a client hears of it before the transcript is read and the record saved.
      case 'prompt_accepted':
        this.arbiter.set('working', { fromHook: true });
        this.hookArrived(null, { endsTurn: false });
        this.conversation.promptAccepted();
        return;
      case 'tool_starting':
        this.arbiter.set('working', { fromHook: true });
        this.hookArrived(null, { endsTurn: false });
        return;
      case 'tool_ran':
        this.arbiter.set('working', { fromHook: true });
        this.hookArrived(null, { endsTurn: false });
        this.requests.toolRan(signal.toolName);
        return;
      case 'turn_failed': {
        this.hookArrived(null, { endsTurn: true });
        const hint = turnFailureHint(signal.error, signal.message);
        this.context.publish('turn_failed', this.id, { error: signal.error, message: signal.message, ...(hint ? { hint } : {}) });
        this.log.warn({ error: signal.error }, 'turn failed');
        this.arbiter.hookEndedTurn();
        this.conversation.turnEnded(signal.message);
        return;
      }
      case 'turn_ended':
        this.hookArrived(null, { endsTurn: true });
        this.arbiter.hookEndedTurn();
        this.conversation.turnEnded(signal.lastAssistantMessage);
        return;
    }
  }

  /**
   * Claude names a new transcript (after /clear): it is followed from its start, after the ones before
   * (the conversation and usage span them all), and remembered for a restart. A path elsewhere is
   * refused: a hook body must not make the daemon read files outside the session's project directory.
   */
  private transcriptMoved(path: string): void {
    if (path === this.conversation.path || path === this.refusedTranscript) return;
    if (!isTranscriptBeside(path, this.record.transcriptPath) || !this.conversation.follow(path)) {
      this.refusedTranscript = path;
      this.log.warn({ path }, 'refused a transcript path: not a new transcript in the session\'s project directory');
      return;
    }
    this.record.earlierTranscripts = this.conversation.paths.slice(0, -1);
    this.record.transcriptPath = path;
    this.save();
  }

  /** Bookkeeping for every hook call: it is activity and progress, and the transcript may have grown. */
  private hookArrived(payload: HookPayload | null, { endsTurn }: { endsTurn: boolean | null }): void {
    if (payload?.transcript_path) this.onHookSignal({ type: 'transcript_moved', path: payload.transcript_path });
    this.touch();
    this.arbiter.progressed();
    this.conversation.read();
    this.arbiter.hookArrived(endsTurn);
  }

  private onScreen(read: Omit<ScreenRead, never>): void {
    if (read.changed) this.arbiter.progressed();
    this.conversation.read();
    this.requests.onScreen(read.state);
    // A first-run screen no one answers: the session cannot start, and says why now, not at its deadline.
    if (this.record.status === 'starting' && showsFirstRunScreen(read.text)) {
      this.endInBackground('start_failed');
      return;
    }
    switch (read.state.kind) {
      case 'trust_dialog':
      case 'api_key_dialog':
      case 'bypass_dialog':
        this.startupDialogs.seen(read.state.kind);
        return;
      case 'working':
        this.arbiter.set('working', { fromHook: false });
        return;
      case 'idle':
        this.arbiter.set('idle', { fromHook: false });
        return;
      default:
        return; // a dialog is listed (and the status set) by the screen requests
    }
  }

  /** No progress for too long: stalled until it progresses again; the stall action follows. */
  private stall(thresholdMs: number, action: string): void {
    if (!this.arbiter.set('stalled', { fromHook: true })) return;
    const silentMs = Date.now() - this.arbiter.lastProgressAt;
    this.context.publish('stalled', this.id, { silentMs, thresholdMs, action });
    this.log.warn({ silentMs, action }, 'session stalled');
    if (action === 'interrupt') this.pressInterrupt('stall');
    if (action === 'kill') this.endInBackground('reaped', { reaped: { reason: 'stalled', detail: { thresholdMs } } });
  }

  /** The session or its key reached a budget: the turn is interrupted, or the session ended. */
  stopForBudget(action: BudgetAction): void {
    if (this.exited || this.ending.begun || action === 'notify') return;
    this.log.warn({ action }, 'budget exceeded');
    if (action === 'kill') this.endInBackground('budget_exceeded');
    else if (this.record.status === 'working' || this.record.status === 'stalled') this.pressInterrupt('budget');
  }

  private pressInterrupt(why: string): void {
    this.input.keystrokes((press) => press([INTERRUPT])).catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, `the ${why} interrupt could not be pressed`));
  }

  // ── Helpers ────────────────────────────────────────────────────────────────────────────────────

  /** Waits (bounded) until the screen, read now and then as soon as the pane prints, passes `shows`. */
  private untilScreen(shows: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.screen.closely((fresh) => this.waitUntil(() => fresh() && shows(), timeoutMs));
  }

  private touch(): void {
    this.record.lastActivityAt = new Date().toISOString();
    this.saveSoon.schedule();
  }

  /** Status changes come from Claude, not from a request: a store failure is logged, never thrown at tmux. */
  private save(): void {
    this.saveSoon.cancel();
    if (this.ending.forgotten) return;
    try {
      this.context.repository.save(this.record);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'cannot persist session state');
    }
  }
}

/** A transcript entry without its id (which an event carries as `messageId`). */
function withoutId(message: TranscriptMessage): Omit<TranscriptMessage, 'id'> {
  const { id: _id, ...fields } = message;
  return fields;
}
