/**
 * How a session follows its transcript: Claude's JSONL file is read incrementally as it grows
 * (inotify through fs.watch on its directory, since the file appears only with the first prompt), and
 * whenever a hook or the screen suggests it did. It owns its watcher and timer and closes them with
 * the session.
 */
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { TranscriptReader, type TranscriptMessage } from '../claude/transcript.js';

export interface TranscriptWatchDeps {
  /** How long after a change notice the file is read, so one burst of writes is one read. */
  debounceMs: number;
  /** The file grew (or may have). */
  onGrowth(): void;
  onWatchError(dir: string, err: unknown): void;
}

export interface TranscriptRead {
  messages: TranscriptMessage[];
  /** Whether any record was added, messages or not (Claude's own cost arrives in a record of its own). */
  grew: boolean;
}

export class TranscriptWatch {
  reader: TranscriptReader;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    path: string,
    private readonly deps: TranscriptWatchDeps,
  ) {
    this.reader = new TranscriptReader(path);
  }

  get path(): string {
    return this.reader.path;
  }

  /** Starts watching the file's directory. */
  watch(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.closed) return;
    const dir = dirname(this.reader.path);
    try {
      mkdirSync(dir, { recursive: true });
      const watcher = watch(dir, (_event, file) => {
        if (!file || file === basename(this.reader.path)) this.scheduleRead();
      });
      watcher.on('error', (err) => {
        watcher.close();
        this.deps.onWatchError(dir, err);
      });
      this.watcher = watcher;
    } catch (err) {
      this.deps.onWatchError(dir, err);
    }
  }

  /** Follows another file from its start (Claude moved to a new transcript). */
  follow(path: string): void {
    this.reader = new TranscriptReader(path);
    this.watch();
  }

  /** Reads what was added since the last read (throws when the file cannot be read). */
  read(): TranscriptRead {
    const before = this.reader.records;
    const messages = this.reader.readNew();
    return { messages, grew: this.reader.records !== before };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
  }

  private scheduleRead(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.deps.onGrowth();
    }, this.deps.debounceMs);
  }
}
