/**
 * The in-memory half of one session: its record, the transcript it follows, the last screen seen,
 * the prompts Claude confirmed, and a way to wait for any of these to change. Waiting is
 * event-driven: whoever changes the session calls `changed()`.
 */
import type { FSWatcher } from 'node:fs';
import type { ScreenState } from '../claude/screen.js';
import { TranscriptReader, type TranscriptMessage } from '../claude/transcript.js';
import type { Delivery } from './delivery.js';
import type { SessionRecord } from './session.js';

/** How many deliveries a session remembers by their Idempotency-Key. */
const REMEMBERED_DELIVERIES = 100;

export class LiveSession {
  transcript: TranscriptReader;
  readonly messages: TranscriptMessage[] = [];
  screen = '';
  screenState: ScreenState = { kind: 'unknown' };
  /** Prompts Claude reported accepting through its UserPromptSubmit hook, oldest first. */
  readonly acceptedPrompts: string[] = [];
  /** Set once something (reaper, DELETE, shutdown) has begun to end the session: it takes no new work. */
  ending = false;
  /** Set when DELETE removed the session's record: nothing may write it back. */
  forgotten = false;
  /** Set while a create that reuses this session delivers its prompt: no second create may take it. */
  reserved = false;
  /** When keys were last sent to the pane: typing is activity, so an idle clock restarts with it. */
  lastInputAt = 0;
  /** When Claude last showed progress (transcript growth, a hook, a screen change beyond the spinner). */
  lastProgressAt = Date.now();
  fingerprint = '';
  /** When a hook last set the status; the screen may lag behind a hook for a moment. */
  lastHookStatusAt = 0;
  /**
   * Set by a Stop hook, cleared by the next hook of a turn: while hooks say the turn has ended, no
   * permission dialog or question can be on the screen, whatever the screen seems to show.
   */
  turnEndedByHook = false;
  /** The start-up dialog on screen: which, since when, and when Aegis last answered it. */
  startupDialog: { kind: string; since: number; answeredAt: number } | null = null;
  /** Index in `messages` where the current turn began. */
  turnStart = 0;
  /** A Stop hook that arrived before the transcript had the turn's reply; the turn ends when it does. */
  pendingStop: { lastAssistantMessage: string; timer: NodeJS.Timeout } | null = null;
  transcriptWatcher: FSWatcher | null = null;
  transcriptTimer: NodeJS.Timeout | null = null;
  captureTimer: NodeJS.Timeout | null = null;
  recheckTimer: NodeJS.Timeout | null = null;
  /** Recent deliveries by Idempotency-Key, oldest first, so a retried send never types its text twice. */
  readonly deliveries = new Map<string, Delivery>();
  private readonly waiters = new Set<Waiter>();
  /** Every keystroke to the pane, in order: two writers never interleave their keys. */
  private keyQueue: Promise<unknown> = Promise.resolve();
  /** One delivery at a time: a delivery's confirmation must not be taken by another's text. */
  private deliveryQueue: Promise<unknown> = Promise.resolve();
  private inputsInFlight = 0;
  private disposed = false;

  constructor(public record: SessionRecord) {
    this.transcript = new TranscriptReader(record.transcriptPath);
  }

  get id(): string {
    return this.record.id;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get isExited(): boolean {
    return this.record.status === 'exited';
  }

  /** Whether keys are being sent or a delivery runs: the session is in use, whatever its status says. */
  get busyWithInput(): boolean {
    return this.inputsInFlight > 0;
  }

  /** Wakes everyone waiting on this session so they re-check their condition. */
  changed(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }

  /**
   * Resolves true as soon as `condition` holds, false when the deadline passes first, and at once
   * (with the condition's value) when the session is disposed: nothing waits on a session that is gone.
   */
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition() || this.disposed) return Promise.resolve(condition());
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(result);
      };
      const waiter: Waiter = {
        check: () => {
          if (condition()) finish(true);
        },
        release: () => finish(condition()),
      };
      const timer = setTimeout(waiter.release, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Sends keys to the pane through the session's one queue: send, interrupt, escape, dialog and screen
   * answers, stall interrupts. Each action runs after the one before it has finished.
   */
  input<T>(action: () => Promise<T>): Promise<T> {
    return this.track(() => {
      const run = this.keyQueue.then(() => {
        this.lastInputAt = Date.now();
        return action();
      });
      this.keyQueue = run.catch(() => undefined);
      return run;
    });
  }

  rememberDelivery(key: string, delivery: Delivery): void {
    this.deliveries.set(key, delivery);
    for (const oldest of this.deliveries.keys()) {
      if (this.deliveries.size <= REMEMBERED_DELIVERIES) break;
      this.deliveries.delete(oldest);
    }
  }

  /** Runs whole deliveries (text, Enter, confirmation) one at a time. */
  deliverOneAtATime<T>(action: () => Promise<T>): Promise<T> {
    return this.track(() => {
      const run = this.deliveryQueue.then(action, action);
      this.deliveryQueue = run.catch(() => undefined);
      return run;
    });
  }

  private async track<T>(action: () => Promise<T>): Promise<T> {
    this.inputsInFlight++;
    this.lastInputAt = Date.now();
    try {
      return await action();
    } finally {
      this.inputsInFlight--;
      this.lastInputAt = Date.now();
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const waiter of [...this.waiters]) waiter.release();
    for (const timer of [this.captureTimer, this.recheckTimer, this.transcriptTimer, this.pendingStop?.timer]) {
      if (timer) clearTimeout(timer);
    }
    this.captureTimer = this.recheckTimer = this.transcriptTimer = this.pendingStop = null;
    this.transcriptWatcher?.close();
    this.transcriptWatcher = null;
  }
}

interface Waiter {
  /** Re-checks the condition; finishes the wait when it holds. */
  check(): void;
  /** Finishes the wait now with the condition's current value. */
  release(): void;
}
