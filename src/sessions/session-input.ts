/**
 * What a session takes from its callers, as keys into its pane: text delivered and confirmed (see
 * delivery.ts; sends with an Idempotency-Key are remembered with the session, so a retry after a
 * restart is never typed again), interrupts and Escapes, and the pane read back. Every keystroke, whoever sends it,
 * goes through the session's one input queue; a pane that vanished under a request ends the session,
 * and tmux's failures become API errors. Part of the session it belongs to: it reads the session's
 * state through the host it is given.
 */
import { createHash } from 'node:crypto';
import type { ScreenState } from '../claude/screen.js';
import { INTERRUPT } from '../claude/terminal-ui.js';
import { AegisError } from '../errors.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { Delivery, type DeliveryResult, type DeliveryTarget, type Echo, type TranscriptMark } from './delivery.js';
import { InputQueue, type Press } from './input-queue.js';
import type { ExitInfo, RememberedDelivery, SessionStatus } from './session-record.js';
import type { Timing } from './timing.js';
import { asSessionError, isPaneGone } from './tmux-failures.js';
import { TypedEcho } from './typed-echo.js';

/** What a session's input needs of its session. */
export interface InputHost {
  readonly id: string;
  readonly paneId: string;
  status(): SessionStatus;
  exitInfo(): ExitInfo | null;
  /** Exited, being ended, or closed with the daemon: it takes no input. */
  takesNoInput(): boolean;
  exited(): boolean;
  gone(): boolean;
  screenState(): ScreenState;
  screenText(): string;
  readScreen(): Promise<ScreenState>;
  /** Waits until the screen passes `test`, reading it as soon as the pane prints. */
  untilScreen(test: (screen: ScreenState) => boolean, timeoutMs: number): Promise<boolean>;
  acceptedPrompts(): number;
  transcriptMark(): TranscriptMark;
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean>;
  /** The pane is gone: the session ends. */
  paneVanished(): Promise<void>;
  /** The sends by Idempotency-Key the session's record kept (from before a restart, too). */
  rememberedDeliveries(): readonly RememberedDelivery[];
  /**
   * Keeps the sends by Idempotency-Key with the session's record. With `mustKeep`, a store that takes no
   * writes is thrown (STORE_UNAVAILABLE) and the record is left as it was; otherwise it is logged.
   */
  saveDeliveries(deliveries: RememberedDelivery[], options?: { mustKeep?: boolean }): void;
}

export interface InputDeps {
  tmux: Pick<TmuxServer, 'capture' | 'paneSize' | 'pressKeys' | 'pressKey' | 'typeText' | 'paste' | 'onPaneBytes' | 'wantOutput'>;
  timing: Pick<Timing, 'readyTimeoutMs' | 'interruptWaitMs' | 'deliveryAttemptMs' | 'deliveryAttempts' | 'transcriptSettleMs' | 'typingSettleMs' | 'typedDrawSettleMs' | 'paneReadTimeoutMs'>;
  /** The size windows are opened with. */
  paneSize: { cols: number; rows: number };
}

/** Statuses in which Claude shows a dialog that typed text would answer instead of reaching the prompt. */
const DIALOG_STATUSES: ReadonlySet<SessionStatus> = new Set(['permission_prompt', 'asking']);
/** How many deliveries a session remembers by their Idempotency-Key. */
const REMEMBERED_DELIVERIES = 100;

/** A send by Idempotency-Key: what is kept with the record, and the delivery itself while this daemon runs it. */
interface KeyedDelivery {
  textSha256: string;
  delivered: boolean;
  /** Absent for a send an earlier daemon made: it cannot be resumed, only reported. */
  delivery?: Delivery;
}

export class SessionInput implements DeliveryTarget {
  private readonly queue: InputQueue;
  /** Recent deliveries by Idempotency-Key, oldest first. */
  private readonly deliveries = new Map<string, KeyedDelivery>();
  private reservedForCreate = false;

  constructor(
    private readonly host: InputHost,
    private readonly deps: InputDeps,
  ) {
    this.queue = new InputQueue(keySender(deps.tmux, host.paneId));
    for (const { key, textSha256, delivered } of host.rememberedDeliveries()) this.deliveries.set(key, { textSha256, delivered });
  }

  /** When keys were last sent (0: never): typing is activity. */
  get lastInputAt(): number {
    return this.queue.lastInputAt;
  }

  /** Whether keys are being sent or a delivery runs. */
  get busy(): boolean {
    return this.queue.busy;
  }

  /** Whether a create that reuses the session is delivering its prompt: no second create may take it. */
  get reserved(): boolean {
    return this.reservedForCreate;
  }

  /**
   * Sends text to Claude's prompt and waits until Claude confirms it. With an idempotency key, a
   * retry (same key, same text) never types the text twice: it answers from, or goes on with, the
   * first delivery.
   */
  async send(text: string, { idempotencyKey }: { idempotencyKey?: string | undefined } = {}): Promise<DeliveryResult> {
    const textSha256 = sha256(text.replace(/\r\n?/g, '\n'));
    const earlier = idempotencyKey === undefined ? undefined : this.deliveries.get(idempotencyKey);
    if (earlier) {
      if (earlier.textSha256 !== textSha256) {
        throw new AegisError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${idempotencyKey} was used for another text in session ${this.host.id}`, { idempotencyKey });
      }
      const { delivery } = earlier;
      if (!delivery) return earlierDaemonsResult(earlier.delivered);
      return this.asRequest(() => this.queue.delivery(() => this.confirmed(earlier, delivery.run())));
    }
    // Waiting for the prompt happens outside the delivery queue: start-up dialogs are answered meanwhile.
    if (this.host.status() === 'starting') await this.host.waitUntil(() => this.host.status() !== 'starting', this.deps.timing.readyTimeoutMs);
    this.checkTakesText();
    return this.asRequest(() =>
      this.queue.delivery(async () => {
        this.checkTakesText();
        const delivery = new Delivery(this, text, this.deps.timing);
        if (idempotencyKey === undefined) return delivery.run();
        // Kept before anything is typed: a retry after a restart must not type it again. A key that
        // cannot be kept fails the send with nothing typed.
        const keyed = { textSha256, delivered: false, delivery };
        this.remember(idempotencyKey, keyed);
        return this.confirmed(keyed, delivery.run());
      }),
    );
  }

  /** A create reusing this session delivers its prompt while no other create may take the session. */
  async sendAsReused(prompt: string, options: { idempotencyKey?: string | undefined } = {}): Promise<DeliveryResult> {
    this.reservedForCreate = true;
    try {
      return await this.send(prompt, options);
    } finally {
      this.reservedForCreate = false;
    }
  }

  /** The terminal screen as text; an exited session's last screen, at the size windows are opened with. */
  async pane(): Promise<{ text: string; cols: number; rows: number }> {
    if (this.host.exited()) return { text: this.host.exitInfo()?.lastScreen ?? this.host.screenText(), ...this.deps.paneSize };
    return this.asRequest(async () => {
      const deadline = this.deps.timing.paneReadTimeoutMs;
      const [text, size] = await Promise.all([this.deps.tmux.capture(this.host.paneId, deadline), this.deps.tmux.paneSize(this.host.paneId, deadline)]);
      return { text, ...size };
    });
  }

  /** Stops the current turn (Escape, as a person would) and waits briefly for Claude to settle; false when nothing ran. */
  async interrupt(): Promise<boolean> {
    this.checkLive();
    const status = this.host.status();
    if (status !== 'working' && status !== 'stalled' && !DIALOG_STATUSES.has(status)) return false;
    await this.asRequest(() => this.keystrokes((press) => press([INTERRUPT])));
    // Claude fires no hook when a turn is interrupted: only the screen tells, so it is read as soon as
    // the pane prints while this waits. (tmux's once-a-second report of a pane printing can miss the
    // last redraw: it came within the same second as the one a read had already seen.)
    await this.host.untilScreen(() => this.host.status() === 'idle' || this.host.exited(), this.deps.timing.interruptWaitMs);
    return true;
  }

  async escape(): Promise<void> {
    this.checkLive();
    await this.asRequest(() => this.keystrokes((press) => press([INTERRUPT])));
  }

  /** Types text exactly as given (a terminal's keystrokes: escape sequences, CR), never as key names or flags. */
  async typeLiteral(data: string): Promise<void> {
    this.checkLive();
    await this.asRequest(() => this.keystrokes((press) => press([{ text: data }])));
  }

  /** Refuses what a session that takes no input any more is asked. */
  checkLive(): void {
    if (this.host.takesNoInput()) {
      throw new AegisError('SESSION_EXITED', `session ${this.host.id} has exited (${this.host.exitInfo()?.reason ?? 'ending'}); it cannot take input`, {
        exit: this.host.exitInfo(),
      });
    }
  }

  // ── DeliveryTarget, and the keys every part of the session sends ───────────────────────────────

  get acceptedPrompts(): number {
    return this.host.acceptedPrompts();
  }

  get screenState(): ScreenState {
    return this.host.screenState();
  }

  get screenText(): string {
    return this.host.screenText();
  }

  get exited(): boolean {
    return this.host.exited();
  }

  get turnRunning(): boolean {
    const status = this.host.status();
    return status === 'working' || status === 'stalled';
  }

  get gone(): boolean {
    return this.host.gone();
  }

  transcriptMark(): TranscriptMark {
    return this.host.transcriptMark();
  }

  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.host.waitUntil(condition, timeoutMs);
  }

  readScreen(): Promise<ScreenState> {
    return this.host.readScreen();
  }

  untilScreen(test: (screen: ScreenState) => boolean, timeoutMs: number): Promise<boolean> {
    return this.host.untilScreen(test, timeoutMs);
  }

  watchEcho(): Echo {
    return new TypedEcho(this.deps.tmux, this.host.paneId);
  }

  /** Runs a batch of keystrokes after every batch queued before it; only the batch is given the keys. */
  keystrokes<T>(batch: (press: Press) => Promise<T>): Promise<T> {
    return this.queue.keystrokes(batch);
  }

  // ── Helpers ────────────────────────────────────────────────────────────────────────────────────

  /** Refuses text a session cannot take now, saying why and what to do. */
  private checkTakesText(): void {
    this.checkLive();
    const status = this.host.status();
    if (status === 'starting') {
      throw new AegisError('SESSION_NOT_READY', `session ${this.host.id} has not shown its prompt yet; see GET /v1/sessions/${this.host.id}/pane`, {
        screen: this.host.screenState().kind,
      });
    }
    if (DIALOG_STATUSES.has(status)) {
      const what = status === 'asking' ? 'a question is waiting for an answer (POST .../answer)' : 'a permission prompt is open (approve or reject it first)';
      throw new AegisError('SESSION_BUSY', `session ${this.host.id} cannot take input: ${what}`, { status });
    }
  }

  /** Keeps a new keyed delivery in the session's record, or throws (and remembers nothing) when it cannot be kept. */
  private remember(key: string, keyed: KeyedDelivery): void {
    const before = [...this.deliveries];
    this.deliveries.set(key, keyed);
    for (const oldest of this.deliveries.keys()) {
      if (this.deliveries.size <= REMEMBERED_DELIVERIES) break;
      this.deliveries.delete(oldest);
    }
    try {
      this.saveDeliveries({ mustKeep: true });
    } catch (err) {
      this.deliveries.clear();
      for (const [earlierKey, earlier] of before) this.deliveries.set(earlierKey, earlier);
      throw err;
    }
  }

  /** Notes a keyed delivery Claude confirmed, with the session's record. */
  private async confirmed(keyed: KeyedDelivery, run: Promise<DeliveryResult>): Promise<DeliveryResult> {
    const result = await run;
    if (result.delivered && !keyed.delivered) {
      keyed.delivered = true;
      this.saveDeliveries();
    }
    return result;
  }

  private saveDeliveries(options: { mustKeep?: boolean } = {}): void {
    this.host.saveDeliveries([...this.deliveries].map(([key, { textSha256, delivered }]) => ({ key, textSha256, delivered })), options);
  }

  /** Runs what a caller asked; a pane that vanished ends the session, and tmux failures become API errors. */
  private async asRequest<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      if (isPaneGone(err)) await this.host.paneVanished();
      throw asSessionError(err, this.host.id);
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What a retry learns of a send an earlier daemon made: it is never typed again. */
function earlierDaemonsResult(delivered: boolean): DeliveryResult {
  if (delivered) return { delivered: true, attempts: 0 };
  return {
    delivered: false,
    attempts: 0,
    mayArriveLater: true,
    error: 'the daemon restarted while this text was being delivered, so it may have reached Claude: read the messages before sending it again with a new Idempotency-Key',
  };
}

/** Sends keys to a pane; named keys in a row go in one tmux command, as one keystroke sequence. Given only to the input queue. */
function keySender(tmux: InputDeps['tmux'], paneId: string): Press {
  return async (actions) => {
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i]!;
      if ('paste' in action) await tmux.paste(paneId, action.paste);
      else if ('text' in action) await tmux.typeText(paneId, action.text);
      else if (action.times !== undefined) await tmux.pressKey(paneId, action.key, action.times);
      else {
        const keys = [action.key];
        for (let next = actions[i + 1]; next && 'key' in next && next.times === undefined; next = actions[i + 1]) {
          keys.push(next.key);
          i++;
        }
        await tmux.pressKeys(paneId, ...keys);
      }
    }
  };
}
