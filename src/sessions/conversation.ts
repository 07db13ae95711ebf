/**
 * What a session's Claude has said and been told: the messages of its transcript (published as they
 * are written), the prompts Claude confirmed, and when a turn has really ended. Claude writes its
 * transcript a moment after its Stop hook, so a turn ends once the reply the hook announced is
 * readable (or after a bound): a client never sees `idle` before the message that finished the turn.
 * Part of the session it belongs to; it tells the session through the host it is given.
 */
import type { TranscriptMessage, Usage } from '../claude/transcript.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { TranscriptMark } from './delivery.js';
import type { Timing } from './timing.js';
import { TranscriptWatch } from './transcript-watch.js';

export interface ConversationHost {
  /** The transcript grew (messages or not): Claude is making progress; its usage is `usage`. */
  grew(usage: Usage): void;
  /** New messages, in order; `publish` says whether they are news (not the past read again). */
  said(messages: TranscriptMessage[], publish: boolean): void;
  /** The turn's end is settled: its reply is readable, or it took too long to be. */
  turnFinished(): void;
}

export class Conversation {
  private readonly transcript: TranscriptWatch;
  private readonly messages: TranscriptMessage[] = [];
  private confirmedPrompts = 0;
  /** Index in `messages` where the current turn began. */
  private turnStart = 0;
  /** A Stop that arrived before the transcript had the turn's reply; the turn ends when it does. */
  private pendingEnd: { lastAssistantMessage: string; timer: NodeJS.Timeout } | null = null;

  constructor(
    path: string,
    private readonly deps: { timing: Pick<Timing, 'transcriptDebounceMs' | 'transcriptSettleMs'>; logger: Logger },
    private readonly host: ConversationHost,
  ) {
    this.transcript = new TranscriptWatch(path, {
      debounceMs: deps.timing.transcriptDebounceMs,
      onGrowth: () => this.read(),
      onWatchError: (dir, err) => deps.logger.warn({ dir, err: errorMessage(err) }, 'cannot watch the transcript directory'),
    });
  }

  get path(): string {
    return this.transcript.path;
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
    this.transcript.watch();
    if (pastIsNews) return;
    this.read({ publish: false });
    this.turnStart = this.messages.length;
  }

  /** Follows another file from its start (Claude moved to a new transcript, after /clear). */
  follow(path: string): void {
    this.transcript.follow(path);
  }

  /** Reads what was added since the last read. */
  read({ publish = true }: { publish?: boolean } = {}): void {
    let read;
    try {
      read = this.transcript.read();
    } catch (err) {
      this.deps.logger.warn({ path: this.transcript.path, err: errorMessage(err) }, 'cannot read the transcript');
      return;
    }
    if (!read.grew) return;
    // Records without messages count too: Claude's own cost arrives in one (written as it exits).
    this.host.grew(this.transcript.reader.usage);
    if (read.messages.length === 0) return;
    this.messages.push(...read.messages);
    this.host.said(read.messages, publish);
    this.settleTurn();
  }

  page(after: number, limit: number): { messages: TranscriptMessage[]; nextCursor: string } {
    const messages = this.messages.slice(after, after + limit);
    return { messages, nextCursor: String(Math.min(after, this.messages.length) + messages.length) };
  }

  /** Where the transcript stands now (a delivery compares it with where it stood). */
  mark(): TranscriptMark {
    const { reader } = this.transcript;
    return { file: reader, records: reader.records, userRecords: reader.userRecords };
  }

  /** Claude took a prompt: a new turn begins. */
  promptAccepted(): void {
    this.cancelTurnEnd();
    this.turnStart = this.messages.length;
    this.confirmedPrompts++;
  }

  /** A Stop (or StopFailure) hook said the turn ended with `lastAssistantMessage`. */
  turnEnded(lastAssistantMessage: string, settleMs = this.deps.timing.transcriptSettleMs): void {
    this.cancelTurnEnd();
    this.pendingEnd = { lastAssistantMessage, timer: setTimeout(() => this.finishTurn(), settleMs) };
    this.settleTurn();
  }

  close(): void {
    this.cancelTurnEnd();
    this.transcript.close();
  }

  private settleTurn(): void {
    const pending = this.pendingEnd;
    if (!pending) return;
    const last = pending.lastAssistantMessage.trim();
    const replied = this.messages
      .slice(this.turnStart)
      .some((m) => m.role === 'assistant' && m.kind === 'text' && m.text.trim() !== '' && last.endsWith(m.text.trim()));
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
