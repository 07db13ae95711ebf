/**
 * Delivering text to Claude's prompt and knowing it arrived. Text is typed literally (line breaks
 * as Ctrl-J) or, when long, pasted as one bracketed paste, then submitted with Enter. It
 * counts as delivered only when Claude confirms it: its UserPromptSubmit hook, or a new user record
 * in the transcript. An unconfirmed attempt is retried a bounded number of times, re-pressing Enter
 * when the text still sits in the prompt box and retyping only when nothing at all happened, so a
 * message never arrives twice. A delivery that ran out of attempts can be resumed (a retry with the
 * same Idempotency-Key): it goes on from where it stopped and never types the text a second time once
 * anything reached Claude. Typing that fails part-way is erased again with Backspace, so a failed
 * delivery leaves no half-typed text in Claude's prompt.
 */
import type { ScreenState } from '../claude/screen.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { LiveSession } from './live-session.js';
import type { Timing } from './timing.js';

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  /** Why the text was not confirmed; it may still arrive (see `mayArriveLater`). */
  error?: string;
  /** Set when the text was typed but not confirmed: Claude may still take it, so a blind resend could duplicate it. */
  mayArriveLater?: boolean;
}

export interface DeliveryDeps {
  tmux: Pick<TmuxServer, 'typeText' | 'paste' | 'pressKeys' | 'pressKey'>;
  timing: Pick<Timing, 'deliveryAttemptMs' | 'deliveryAttempts' | 'transcriptSettleMs' | 'typingSettleMs'>;
  /** Re-reads the screen (and transcript) now. */
  refresh: () => Promise<ScreenState>;
}

/**
 * Longest text typed rather than pasted. Claude treats more than 800 characters arriving at once as a
 * paste and records it wrapped in <pasted_content> tags; typed text arrives exactly as sent.
 */
const MAX_TYPED = 800;

export class Delivery {
  readonly text: string;
  private readonly hooksBefore: number;
  private readonly transcript;
  private readonly userRecordsBefore: number;
  private readonly recordsBefore: number;
  private attempts = 0;
  private result: DeliveryResult | null = null;

  constructor(
    private readonly session: LiveSession,
    rawText: string,
    private readonly deps: DeliveryDeps,
  ) {
    this.text = rawText.replace(/\r\n?/g, '\n');
    this.hooksBefore = session.acceptedPrompts.length;
    this.transcript = session.transcript;
    this.userRecordsBefore = this.transcript.userRecords;
    this.recordsBefore = this.transcript.records;
  }

  /** Runs the delivery's attempts (all of them on the first call; as many again when resumed). */
  async run(): Promise<DeliveryResult> {
    if (this.result?.delivered) return this.result;
    if (this.confirmed()) return (this.result = await this.finish());
    for (let round = 0; round < this.deps.timing.deliveryAttempts; round++) {
      if (this.attempts === 0) {
        this.attempts = 1;
        await this.input();
      } else {
        const screen = await this.deps.refresh();
        if (this.confirmed()) return (this.result = await this.finish());
        if (this.session.isExited || this.session.isDisposed) break;
        this.attempts++;
        if (screen.kind === 'idle' && stillInPromptBox(screen.input, this.text)) {
          // The text is still in the prompt box: Enter was lost or came too early.
          await this.session.input(() => this.deps.tmux.pressKeys(this.paneId, 'Enter'));
        } else if (screen.kind === 'idle' && this.nothingReachedClaude()) {
          // Nothing reached Claude at all (keys sent before it read its input): type it again.
          await this.input();
        }
        // Otherwise Claude is busy with it (or with a turn it is queued behind): keep waiting.
      }
      if (await this.session.waitUntil(() => this.confirmed() || this.session.isExited, this.deps.timing.deliveryAttemptMs)) {
        if (this.confirmed()) return (this.result = await this.finish());
        break;
      }
    }
    return (this.result = {
      delivered: false,
      attempts: this.attempts,
      mayArriveLater: !this.session.isExited,
      error: this.session.isExited
        ? 'the session exited before Claude accepted the text'
        : 'Claude did not confirm the text in time; it may still arrive, so retry with the same Idempotency-Key header rather than sending it again',
    });
  }

  private get paneId(): string {
    return this.session.record.paneId;
  }

  /** Any input Claude takes after ours began is ours, even when Claude reshaped it (a paste wrapper, tabs). */
  private confirmed(): boolean {
    return this.session.acceptedPrompts.length > this.hooksBefore || this.newUserRecords();
  }

  private newUserRecords(): boolean {
    return this.session.transcript !== this.transcript || this.transcript.userRecords > this.userRecordsBefore;
  }

  private nothingReachedClaude(): boolean {
    return this.session.transcript === this.transcript && this.transcript.records === this.recordsBefore;
  }

  /**
   * Types (or pastes) the text and presses Enter, as one batch of the session's keystrokes. When
   * typing fails part-way, what may have reached the prompt is erased again.
   */
  private input(): Promise<void> {
    const { tmux } = this.deps;
    const paneId = this.paneId;
    return this.session.input(async () => {
      // Backspaces that would remove what may have reached the prompt so far, the key being sent
      // included (a command that timed out may still have run).
      let typed = 0;
      try {
        if (this.text.length > MAX_TYPED) {
          // Claude shows a paste as one placeholder ("[Pasted text #1 +n lines]"); one Backspace removes it.
          typed = 1;
          await tmux.paste(paneId, this.text);
        } else {
          // Ctrl-J starts a new line in Claude's prompt without submitting it.
          const lines = this.text.split('\n');
          for (const [i, line] of lines.entries()) {
            if (i > 0) {
              typed += 1;
              await tmux.pressKeys(paneId, 'C-j');
            }
            if (line) {
              // One key per character; Claude may merge some (it composes é from e and ´) but never splits one.
              typed += [...line].length;
              await tmux.typeText(paneId, line);
            }
          }
          // Claude reads a fast burst of keys as a paste, in which Enter is a line break: after several
          // lines, Enter waits until Claude shows the last of them in its prompt box.
          if (lines.length > 1) await this.untilPromptShows(lines.filter((line) => line.trim() !== '').at(-1) ?? '');
        }
        await tmux.pressKeys(paneId, 'Enter');
      } catch (err) {
        // Backspace is safe in any state of the prompt: on an empty one it does nothing (it leaves
        // shell mode), unlike Ctrl-C (exits Claude when pressed twice) or Escape (interrupts a turn).
        await tmux.pressKey(paneId, 'BSpace', typed).catch(() => {});
        throw err;
      }
    });
  }

  private untilPromptShows(line: string): Promise<boolean> {
    const tail = squash(line).slice(-40);
    return this.session.waitUntil(
      () => this.session.screenState.kind === 'idle' && squash(this.session.screenState.input).includes(tail),
      this.deps.timing.typingSettleMs,
    );
  }

  /** Confirmed: give the transcript a moment to hold the message too, so /read right after shows it. */
  private async finish(): Promise<DeliveryResult> {
    await this.session.waitUntil(() => this.newUserRecords(), this.deps.timing.transcriptSettleMs);
    return { delivered: true, attempts: Math.max(1, this.attempts) };
  }
}

/** Whether the prompt box shows the text (wrapped at the screen's width) or Claude's placeholder for a paste. */
function stillInPromptBox(box: string, text: string): boolean {
  if (/\[Pasted text #\d+/.test(box)) return true;
  const head = squash(text).slice(0, 40);
  return head.length > 0 && squash(box).includes(head);
}

/** Text without its whitespace, to compare with the prompt box, which wraps lines at the screen's width. */
function squash(text: string): string {
  return text.replace(/\s+/g, '');
}
