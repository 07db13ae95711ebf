/**
 * A session's conversation as its transcripts hold it: every file Claude wrote for the session, in the
 * order it wrote them (a new one after /clear), read in bounded chunks. Messages are numbered across
 * the files, which is the cursor `/read` hands out: the same files read again (after a restart) give
 * the same numbers. Only the latest messages stay in memory; an older page is read from the files
 * again, from the nearest of the places noted every so many messages.
 */
import { messageWeight, TranscriptParser, type TranscriptMessage } from '../claude/transcript.js';
import { UsageTally } from '../claude/usage-tally.js';
import { TranscriptFile, TranscriptRefused } from './transcript-file.js';

/** Messages kept in memory: `/read`'s default page, and the turn being settled, come from them. */
const RECENT = 200;
/** And at most about this many characters of them (messageWeight): a session writing large messages keeps fewer. */
const RECENT_WEIGHT = 1_000_000;
/** Characters of messages one page holds at most (at least one message): a page of large messages ends sooner. */
export const PAGE_WEIGHT = 4_000_000;
/** A place to start a page from is noted about every this many messages. */
const INDEX_EVERY = 256;

interface FollowedFile {
  file: TranscriptFile;
  parser: TranscriptParser;
  /** Bytes read so far: the file's messages are numbered up to here. */
  offset: number;
  /** Why the file is no longer read (it was refused), or null. */
  problem: string | null;
}

/** Where a page may start reading: the line at `offset` of file number `file` holds message number `index` on. */
interface Place {
  file: number;
  offset: number;
  index: number;
}

export interface ChunkRead {
  messages: TranscriptMessage[];
}

export class TranscriptHistory {
  private readonly files: FollowedFile[] = [];
  /** The file being read: earlier ones were read to their end (Claude writes only to its latest). */
  private reading = 0;
  private readonly places: Place[] = [];
  private recent: TranscriptMessage[] = [];
  private recentWeight = 0;
  /** How many messages all files hold, as read so far. */
  count = 0;
  readonly usage = new UsageTally();

  constructor(
    paths: readonly string[],
    private readonly onRefused: (path: string, problem: string) => void,
  ) {
    for (const path of paths) this.add(path);
  }

  /** The file Claude writes now. */
  get path(): string {
    return this.latest.file.path;
  }

  get paths(): string[] {
    return this.files.map((f) => f.file.path);
  }

  /** The parser of the file Claude writes now: its counts say whether Claude wrote anything. */
  get latestParser(): TranscriptParser {
    return this.latest.parser;
  }

  /** Why a file of the session could not be read, if one could not. */
  get problem(): string | null {
    const refused = this.files.find((f) => f.problem);
    return refused ? `${refused.file.path}: ${refused.problem}` : null;
  }

  private get latest(): FollowedFile {
    return this.files[this.files.length - 1]!;
  }

  /** Follows a new file from its start, after those already read. */
  add(path: string): void {
    this.files.push({ file: new TranscriptFile(path), parser: new TranscriptParser(this.usage), offset: 0, problem: null });
  }

  /** Reads one bounded chunk of what was written since the last read; null when nothing was. */
  readChunk(): ChunkRead | null {
    while (this.reading < this.files.length) {
      const index = this.reading;
      const followed = this.files[index]!;
      const read = this.readFile(followed);
      if (read) return { messages: this.ingest(index, followed, read.lines, read.start) };
      if (index === this.files.length - 1) return null;
      this.reading++;
    }
    return null;
  }

  /** Up to `limit` messages from number `after` on: from memory when they are recent, else from the files. */
  async page(after: number, limit: number, yieldToLoop: () => Promise<void>): Promise<TranscriptMessage[]> {
    const recentStart = this.count - this.recent.length;
    if (after >= recentStart) return withinPageWeight(this.recent.slice(after - recentStart, after - recentStart + limit));
    const place = this.placeBefore(after);
    const messages: TranscriptMessage[] = [];
    let weight = 0;
    let index = place.index;
    for (let f = place.file; f < this.files.length && messages.length < limit && index < this.count; f++) {
      const followed = this.files[f]!;
      const parser = new TranscriptParser();
      let offset = f === place.file ? place.offset : 0;
      while (offset < followed.offset && messages.length < limit && weight < PAGE_WEIGHT) {
        let read;
        try {
          read = followed.file.read(offset, followed.offset);
        } catch {
          break; // refused since: what it held cannot be shown again
        }
        if (!read) break;
        for (const line of lines(read.lines)) {
          for (const message of parser.parseLine(line)) {
            if (index >= after && messages.length < limit && (messages.length === 0 || weight + messageWeight(message) <= PAGE_WEIGHT)) {
              messages.push(message);
              weight += messageWeight(message);
            } else if (index >= after) {
              weight = PAGE_WEIGHT; // full: a later message must not follow a gap
            }
            index++;
          }
        }
        offset = read.end;
        await yieldToLoop();
      }
    }
    return messages;
  }

  /** The messages of the current turn still in memory: those numbered `from` on. */
  since(from: number): TranscriptMessage[] {
    return this.recent.slice(Math.max(0, from - (this.count - this.recent.length)));
  }

  private readFile(followed: FollowedFile): { lines: Buffer; start: number } | null {
    if (followed.problem) return null;
    try {
      const read = followed.file.read(followed.offset);
      if (!read) return null;
      const start = followed.offset;
      followed.offset = read.end;
      return { lines: read.lines, start };
    } catch (err) {
      followed.problem = err instanceof TranscriptRefused ? err.message : String((err as Error)?.message ?? err);
      this.onRefused(followed.file.path, followed.problem);
      return null;
    }
  }

  /** Parses the lines of one chunk, numbering their messages and noting places to start pages from. */
  private ingest(fileIndex: number, followed: FollowedFile, buffer: Buffer, start: number): TranscriptMessage[] {
    const messages: TranscriptMessage[] = [];
    let lineStart = 0;
    while (lineStart < buffer.length) {
      const lineEnd = buffer.indexOf(10, lineStart);
      const end = lineEnd === -1 ? buffer.length : lineEnd;
      this.notePlace(fileIndex, followed, start + lineStart);
      for (const message of followed.parser.parseLine(buffer.toString('utf8', lineStart, end))) {
        messages.push(message);
        this.remember(message);
      }
      lineStart = end + 1;
    }
    return messages;
  }

  /**
   * Notes the line about to be parsed as a place to start a page from, at the start of each file and
   * then every so many messages, where no tool use awaits its result (so a page read from there names
   * every tool result); where one always does (no real transcript), every four times as many.
   */
  private notePlace(file: number, followed: FollowedFile, offset: number): void {
    const last = this.places[this.places.length - 1];
    const due = !last || last.file !== file ? offset === 0 : this.count - last.index >= (followed.parser.settled ? INDEX_EVERY : 4 * INDEX_EVERY);
    if (due) this.places.push({ file, offset, index: this.count });
  }

  private placeBefore(index: number): Place {
    let lo = 0;
    let hi = this.places.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.places[mid]!.index <= index) lo = mid + 1;
      else hi = mid;
    }
    return this.places[Math.max(0, lo - 1)] ?? { file: 0, offset: 0, index: 0 };
  }

  /**
   * Keeps the latest messages: once twice RECENT of them, or twice RECENT_WEIGHT of characters, are held,
   * it drops the oldest down to RECENT and RECENT_WEIGHT (amortised constant time).
   */
  private remember(message: TranscriptMessage): void {
    this.recent.push(message);
    this.recentWeight += messageWeight(message);
    this.count++;
    if (this.recent.length < 2 * RECENT && this.recentWeight <= 2 * RECENT_WEIGHT) return;
    let keep = Math.min(this.recent.length, RECENT);
    let weight = 0;
    for (let i = this.recent.length - 1; i >= this.recent.length - keep; i--) {
      const next = weight + messageWeight(this.recent[i]!);
      if (next > RECENT_WEIGHT && i < this.recent.length - 1) {
        keep = this.recent.length - 1 - i;
        break;
      }
      weight = next;
    }
    this.recent = this.recent.slice(-keep);
    this.recentWeight = weight;
  }
}

/** The first messages of a page that stay within PAGE_WEIGHT (at least one). */
function withinPageWeight(messages: TranscriptMessage[]): TranscriptMessage[] {
  let weight = 0;
  for (let i = 0; i < messages.length; i++) {
    weight += messageWeight(messages[i]!);
    if (weight > PAGE_WEIGHT && i > 0) return messages.slice(0, i);
  }
  return messages;
}

/** The lines of a buffer of complete lines. */
function* lines(buffer: Buffer): Generator<string> {
  let start = 0;
  while (start < buffer.length) {
    const newline = buffer.indexOf(10, start);
    const end = newline === -1 ? buffer.length : newline;
    yield buffer.toString('utf8', start, end);
    start = end + 1;
  }
}
