/**
 * Delivering text to Claude's prompt and knowing it arrived. Text is pasted a line at a time (a slash
 * command is typed; see `typingActions`) and submitted; it counts as delivered only when Claude
 * confirms it: a new user record in the transcript (its UserPromptSubmit hook alone is believed only
 * for a text queued behind a running turn, which Claude records when that turn ends), or, for a slash
 * command, the command shown run above an emptied prompt box. An unconfirmed attempt is retried a
 * bounded number of times, re-pressing Enter when the text still sits in the prompt box and giving it
 * again only when the prompt box is empty and nothing at all happened, so a message never arrives
 * twice: text Claude changed in the box is never given again. A delivery that ran out of attempts can
 * be resumed (a retry with the same Idempotency-Key): it goes on from where it stopped and never gives
 * the text a second time once anything reached Claude. Keys that fail part-way are erased again, so a
 * failed delivery leaves no half-given text in Claude's prompt.
 */
import type { ScreenState } from '../claude/screen.js';
import {
  SUBMIT, erasing, isSlashCommand, lineToAwaitBeforeSubmit, promptBoxEmpty, promptBoxHolds, promptBoxShowsLine, typedForm, typingActions, type KeyAction,
} from '../claude/terminal-ui.js';
import type { Press } from './input-queue.js';
import type { Timing } from './timing.js';

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  /** Why the text was not confirmed; it may still arrive (see `mayArriveLater`). */
  error?: string;
  /** Set when the text was typed but not confirmed: Claude may still take it, so a blind resend could duplicate it. */
  mayArriveLater?: boolean;
}

/** Where the transcript stood: which file, and how many records (and user records) it had. */
export interface TranscriptMark {
  file: object;
  records: number;
  userRecords: number;
}

/** What a delivery needs of its session. */
export interface DeliveryTarget {
  /** How many prompts Claude confirmed through its hook so far. */
  readonly acceptedPrompts: number;
  readonly screenState: ScreenState;
  /** The screen's text as last read. */
  readonly screenText: string;
  readonly exited: boolean;
  /** A turn is running: text Claude takes now waits in its queue for the next turn. */
  readonly turnRunning: boolean;
  /** Exited, or closed with the daemon: nothing more will happen. */
  readonly gone: boolean;
  transcriptMark(): TranscriptMark;
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Runs a batch of keystrokes in the session's input queue, the only holder of the keys. */
  keystrokes<T>(batch: (press: Press) => Promise<T>): Promise<T>;
  /** Reads the screen (and transcript) now. */
  readScreen(): Promise<ScreenState>;
  /** Waits until the screen passes `test`, reading it as soon as the pane prints. */
  untilScreen(test: (screen: ScreenState) => boolean, timeoutMs: number): Promise<boolean>;
  /** Starts following what the pane prints from now on (`typed-echo.ts`), to see typed text drawn. */
  watchEcho(): Echo;
}

/** What the pane printed since it was armed: whether it shows a line, and a wait for it. */
export interface Echo {
  shows(line: string): boolean;
  until(line: string, timeoutMs: number): Promise<boolean>;
  close(): void;
}

export type DeliveryTiming = Pick<Timing, 'deliveryAttemptMs' | 'deliveryAttempts' | 'transcriptSettleMs' | 'typingSettleMs' | 'typedDrawSettleMs'>;

export class Delivery {
  readonly text: string;
  private readonly hooksBefore: number;
  private readonly before: TranscriptMark;
  /** Sent while a turn runs: Claude records the text only when the next turn begins. */
  private readonly queued: boolean;
  /** A slash command: Claude runs it rather than recording a prompt. */
  private readonly command: boolean;
  /** The command was seen run: gone from the prompt box, shown above it. */
  private commandRan = false;
  private attempts = 0;
  private result: DeliveryResult | null = null;

  constructor(
    private readonly target: DeliveryTarget,
    rawText: string,
    private readonly timing: DeliveryTiming,
  ) {
    this.text = rawText.replace(/\r\n?/g, '\n');
    this.hooksBefore = target.acceptedPrompts;
    this.before = target.transcriptMark();
    this.queued = target.turnRunning;
    this.command = isSlashCommand(this.text);
  }

  /** Runs the delivery's attempts (all of them on the first call; as many again when resumed). */
  async run(): Promise<DeliveryResult> {
    if (this.result?.delivered) return this.result;
    if (this.confirmed()) return (this.result = this.delivered());
    for (let round = 0; round < this.timing.deliveryAttempts; round++) {
      if (this.attempts === 0) {
        this.attempts = 1;
        await this.type();
      } else {
        const screen = await this.target.readScreen();
        if (this.confirmed()) return (this.result = this.delivered());
        if (this.target.gone) break;
        this.attempts++;
        if ((screen.kind === 'idle' || screen.kind === 'working') && promptBoxHolds(screen.input, typedForm(this.text))) {
          // The text is still in the prompt box (also behind a running turn): Enter was lost or came too early.
          await this.target.keystrokes((press) => press([SUBMIT]));
        } else if (screen.kind === 'idle' && promptBoxEmpty(screen.input) && this.nothingReachedClaude()) {
          // Nothing reached Claude at all (keys sent before it read its input): type it again.
          await this.type();
        }
        // Otherwise Claude is busy with it, queued it, or changed it in the box: keep waiting, never retype.
      }
      if (await this.untilSettled()) {
        if (this.confirmed()) return (this.result = this.delivered());
        break;
      }
    }
    return (this.result = {
      delivered: false,
      attempts: this.attempts,
      mayArriveLater: !this.target.exited,
      error: this.target.exited
        ? 'the session exited before Claude accepted the text'
        : 'Claude did not confirm the text in time; it may still arrive, so retry with the same Idempotency-Key header rather than sending it again',
    });
  }

  /**
   * Whether Claude took the text. Any user record written after ours began is ours, even when Claude
   * reshaped it (a paste wrapper). A hook claim alone (one any program in the session could forge)
   * counts only for a text queued behind a turn, which the transcript records when that turn ends.
   */
  private confirmed(): boolean {
    if (this.command) return this.commandRan || this.newUserRecords();
    return this.newUserRecords() || (this.queued && this.hookClaimed());
  }

  /** Claude's UserPromptSubmit hook fired since the delivery began. */
  private hookClaimed(): boolean {
    return this.target.acceptedPrompts > this.hooksBefore;
  }

  /**
   * Waits one attempt's time for Claude to take the text. Claude writes its transcript a moment
   * after its hook, so a hook claim is given that moment to be borne out. A command is seen by
   * fresh reads of the screen, which is all that shows it.
   */
  private async untilSettled(): Promise<boolean> {
    const { deliveryAttemptMs, transcriptSettleMs } = this.timing;
    const done = () => this.confirmed() || this.target.exited;
    if (this.command) {
      return this.target.untilScreen((screen) => {
        this.commandRan ||= this.commandShownRun(screen);
        return done();
      }, deliveryAttemptMs);
    }
    const settled = await this.target.waitUntil(() => done() || this.hookClaimed(), deliveryAttemptMs);
    if (!settled || done()) return settled;
    return this.target.waitUntil(done, transcriptSettleMs);
  }

  /** Claude shows a command it ran as `❯ /command` above the prompt box, which it empties. */
  private commandShownRun(screen: ScreenState): boolean {
    if ((screen.kind !== 'idle' && screen.kind !== 'working') || !promptBoxEmpty(screen.input)) return false;
    const shown = `❯ ${this.text.trim().split('\n')[0]}`;
    return this.target.screenText.split('\n').some((line) => line.trimEnd() === shown);
  }

  private newUserRecords(): boolean {
    const now = this.target.transcriptMark();
    return now.file !== this.before.file || now.userRecords > this.before.userRecords;
  }

  private nothingReachedClaude(): boolean {
    const now = this.target.transcriptMark();
    return !this.hookClaimed() && now.file === this.before.file && now.records === this.before.records;
  }

  /**
   * Types (or pastes) the text and submits it, as one batch of the session's keystrokes. When a key
   * fails part-way, what may have reached the prompt (the failing key included: a command that timed
   * out may still have run) is erased again.
   */
  private type(): Promise<void> {
    return this.target.keystrokes(async (press) => {
      const sent: KeyAction[] = [];
      const lastLine = lineToAwaitBeforeSubmit(this.text);
      // Armed before the first key, so the draw of the typed text cannot come before it is followed.
      const echo = lastLine === null ? null : this.target.watchEcho();
      try {
        for (const action of typingActions(this.text)) {
          sent.push(action);
          await press([action]);
        }
        if (lastLine !== null && echo) await this.untilPromptShows(lastLine, echo);
        await press([SUBMIT]);
      } catch (err) {
        const erase = erasing(sent);
        if (erase) await press([erase]).catch(() => {});
        throw err;
      } finally {
        echo?.close();
      }
    });
  }

  /**
   * Waits until Claude has drawn the last typed line: seen in the pane's output as it is printed, or
   * on the screen read meanwhile (what the output shows can be drawn in pieces that do not read as
   * the line), whichever comes first.
   */
  private async untilPromptShows(line: string, echo: Echo): Promise<void> {
    const { typingSettleMs, typedDrawSettleMs } = this.timing;
    const settled = () => (typedDrawSettleMs > 0 ? new Promise((resolve) => setTimeout(resolve, typedDrawSettleMs)) : Promise.resolve());
    if (echo.shows(line)) return void (await settled());
    const onScreen = this.target.untilScreen(
      (screen) => echo.shows(line) || ((screen.kind === 'idle' || screen.kind === 'working') && promptBoxShowsLine(screen.input, line)),
      typingSettleMs,
    );
    const inOutput = echo.until(line, typingSettleMs);
    // Whichever way it was seen, the screen's wait ends at its next look (the output goes on).
    await Promise.race([onScreen, inOutput.then((seen) => (seen ? settled() : onScreen))]);
  }

  private delivered(): DeliveryResult {
    return { delivered: true, attempts: Math.max(1, this.attempts) };
  }
}
