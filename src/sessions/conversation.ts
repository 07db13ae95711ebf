/**
 * What a session's Claude has said and been told: the messages of its transcripts (published as they
 * are written), the prompts Claude confirmed, and when a turn has really ended. Claude writes its
 * transcript a moment after its Stop hook, so a turn ends once the reply the hook announced is
 * readable (or after a bound): a client never sees `idle` before the message that finished the turn.
 * Transcripts are read in bounded chunks with the event loop let go between them, so no amount of
 * transcript holds the daemon up. Part of the session it belongs to; it tells the session through the
 * host it is given.
 */
import type { TranscriptMessage } from '../claude/transcript.js';
import type { UsageTally } from '../claude/usage-tally.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { TranscriptMark } from './delivery.js';
import type { Timing } from './timing.js';
import { TranscriptHistory } from './transcript-history.js';
import { TranscriptWatch } from './transcript-watch.js';

/** Transcripts one session may have (Claude starts one per /clear); a hook naming more is not followed. */
export const MAX_TRANSCRIPTS = 100;

export interface ConversationHost {
  /** The transcript grew (messages or not): Claude is making progress. */
  grew(): void;
  /** A chunk was read, news or the past read again: the usage of every transcript so far. */
  counted(usage: UsageTally): void;
  /** New messages, in order; `publish` says whether they are news (not the past read again). */
  said(messages: TranscriptMessage[], publish: boolean): void;
  /** The turn's end is settled: its reply is readable, or it took too long to be. */
  turnFinished(): void;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Conversation {
  private readonly history: TranscriptHistory;
  private readonly watcher: TranscriptWatch;
  private confirmedPrompts = 0;
  /** Number of the message the current turn began with. */
  private turnStart = 0;
  /** A Stop that arrived before the transcript had the turn's reply; the turn ends when it does. */
  private pendingEnd: { lastAssistantMessage: string; timer: NodeJS.Timeout } | null = null;
  /** Whether what is read is news: not before watching began, nor the past read again after a restart. */
  private publishing = false;
  /** A read is under way (`draining` settles when it is done); `again`: more may have been written since it began. */
  private busy = false;
  private again = false;
  private draining: Promise<void> = Promise.resolve();
  /** Callers waiting for a page: they keep a read going after the session closed. */
  private demands = 0;
  private closed = false;

  constructor(
    paths: readonly string[],
    private readonly deps: { timing: Pick<Timing, 'transcriptDebounceMs' | 'transcriptSettleMs'>; logger: Logger },
    private readonly host: ConversationHost,
  ) {
    this.history = new TranscriptHistory(paths, (path, problem) => deps.logger.warn({ path, problem }, 'refused to read a transcript; it is no longer read'));
    this.watcher = new TranscriptWatch({
      debounceMs: deps.timing.transcriptDebounceMs,
      onGrowth: () => this.read(),
      onWatchError: (dir, err) => deps.logger.warn({ dir, err: errorMessage(err) }, 'cannot watch the transcript directory'),
    });
  }

  /** The file Claude writes now. */
  get path(): string {
    return this.history.path;
  }

  /** Every transcript of the session, oldest first. */
  get paths(): string[] {
    return this.history.paths;
  }

  /** Why a transcript of the session could not be read, or null. */
  get problem(): string | null {
    return this.history.problem;
  }

  /** How many prompts Claude confirmed through its hook. */
  get acceptedPrompts(): number {
    return this.confirmedPrompts;
  }

  /** Whether a Stop hook said the turn ended and its reply is awaited. */
  get endingTurn(): boolean {
    return this.pendingEnd !== null;
  }

  /** Starts following the transcript; `pastIsNews: false` takes what it already holds as the past (a re-adopted session). */
  watch({ pastIsNews }: { pastIsNews: boolean }): void {
    this.watcher.watch(this.history.path);
    if (pastIsNews) {
      this.publishing = true;
      return;
    }
    this.readAll()
      .then(() => {
        if (this.closed) return;
        this.publishing = true;
        this.turnStart = this.history.count;
        // Counted once it is all read: a usage counted file by file would start again from the first.
        this.host.counted(this.history.usage);
        this.host.grew();
      })
      .catch((err: unknown) => this.deps.logger.error({ err: errorMessage(err) }, 'cannot take up the transcript again'));
  }

  /**
   * Follows another file from its start, after those already read (Claude moved to a new transcript,
   * after /clear). False when it is one of them already, or the session has as many as it may.
   */
  follow(path: string): boolean {
    const paths = this.history.paths;
    if (paths.includes(path) || paths.length >= MAX_TRANSCRIPTS) return false;
    this.history.add(path);
    if (!this.closed) this.watcher.watch(path);
    return true;
  }

  /** Reads what was added since the last read: the first chunk at once, the rest a chunk per turn of the event loop. */
  read(): void {
    // The drain logs what it cannot read: it never rejects.
    this.readAll().catch(() => {});
  }

  /** `read()`, settling once all that was written is read. Never rejects. */
  readAll(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drain();
    return this.draining;
  }

  /** Up to `limit` messages from number `after` on, once what was written is read; the cursor of the next page. */
  async page(after: number, limit: number): Promise<{ messages: TranscriptMessage[]; nextCursor: string }> {
    this.demands++;
    try {
      await this.readAll();
      const messages = await this.history.page(after, limit, yieldToLoop);
      return { messages, nextCursor: String(Math.min(after, this.history.count) + messages.length) };
    } finally {
      this.demands--;
    }
  }

  /** Where the transcript stands now (a delivery compares it with where it stood). */
  mark(): TranscriptMark {
    const parser = this.history.latestParser;
    return { file: parser, records: parser.records, userRecords: parser.userRecords };
  }

  /** Claude took a prompt: a new turn begins. */
  promptAccepted(): void {
    this.cancelTurnEnd();
    this.turnStart = this.history.count;
    this.confirmedPrompts++;
  }

  /** A Stop (or StopFailure) hook said the turn ended with `lastAssistantMessage`. */
  turnEnded(lastAssistantMessage: string, settleMs = this.deps.timing.transcriptSettleMs): void {
    this.cancelTurnEnd();
    this.pendingEnd = { lastAssistantMessage, timer: setTimeout(() => this.finishTurn(), settleMs) };
    this.settleTurn();
  }

  close(): void {
    this.closed = true;
    this.cancelTurnEnd();
    this.watcher.close();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.readChunk()) await yieldToLoop();
      } while (this.again && !this.stopped);
    } catch (err) {
      this.deps.logger.warn({ path: this.history.path, err: errorMessage(err) }, 'cannot read the transcript');
    } finally {
      this.busy = false;
    }
  }

  /** A closed session reads only for a caller waiting for a page. */
  private get stopped(): boolean {
    return this.closed && this.demands === 0;
  }

  /** Reads one bounded chunk; false when nothing new was written. */
  private readChunk(): boolean {
    const chunk = this.history.readChunk();
    if (!chunk) return false;
    if (this.publishing) {
      this.host.counted(this.history.usage);
      this.host.grew();
    }
    if (chunk.messages.length === 0) return true;
    this.host.said(chunk.messages, this.publishing);
    this.settleTurn();
    return true;
  }

  private settleTurn(): void {
    const pending = this.pendingEnd;
    if (!pending) return;
    const last = pending.lastAssistantMessage.trim();
    const replied = this.history
      .since(this.turnStart)
      // A reply cut to its bound (transcript.ts) keeps its beginning only.
      .some((m) => m.role === 'assistant' && m.kind === 'text' && m.text.trim() !== '' && (m.truncated ? last.includes(m.text.trim()) : last.endsWith(m.text.trim())));
    if (last === '' || replied) this.finishTurn();
  }

  private finishTurn(): void {
    this.cancelTurnEnd();
    this.read();
    this.host.turnFinished();
  }

  private cancelTurnEnd(): void {
    if (this.pendingEnd) clearTimeout(this.pendingEnd.timer);
    this.pendingEnd = null;
  }
}
