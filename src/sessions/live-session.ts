/**
 * The in-memory half of one session: its record, the transcript it follows, the last screen seen,
 * the prompts Claude confirmed, and a way to wait for any of these to change. Waiting is
 * event-driven: whoever changes the session calls `changed()`.
 */
import type { FSWatcher } from 'node:fs';
import type { ScreenState } from '../claude/screen.js';
import { TranscriptReader, type TranscriptMessage } from '../claude/transcript.js';
import type { SessionRecord } from './session.js';

export class LiveSession {
  transcript: TranscriptReader;
  readonly messages: TranscriptMessage[] = [];
  screen = '';
  screenState: ScreenState = { kind: 'unknown' };
  /** Prompts Claude reported accepting through its UserPromptSubmit hook, oldest first. */
  readonly acceptedPrompts: string[] = [];
  /** Set while the reaper ends the session, so a slow tmux never makes it reap twice. */
  reaping = false;
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
  private readonly waiters = new Set<() => void>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(public record: SessionRecord) {
    this.transcript = new TranscriptReader(record.transcriptPath);
  }

  get id(): string {
    return this.record.id;
  }

  get isExited(): boolean {
    return this.record.status === 'exited';
  }

  /** Wakes everyone waiting on this session so they re-check their condition. */
  changed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves true as soon as `condition` holds, false when the deadline passes first. */
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      const check = () => {
        if (condition()) finish(true);
      };
      const timer = setTimeout(() => finish(condition()), timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Runs actions that type into the pane one at a time, so two senders never interleave keystrokes. */
  serialize<T>(action: () => Promise<T>): Promise<T> {
    const run = this.queue.then(action, action);
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    for (const timer of [this.captureTimer, this.recheckTimer, this.transcriptTimer, this.pendingStop?.timer]) {
      if (timer) clearTimeout(timer);
    }
    this.captureTimer = this.recheckTimer = this.transcriptTimer = this.pendingStop = null;
    this.transcriptWatcher?.close();
    this.transcriptWatcher = null;
    this.changed();
  }
}
