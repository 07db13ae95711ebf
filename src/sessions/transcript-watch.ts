/**
 * Notices that a session's transcript may have grown: inotify through fs.watch on its directory (the
 * file appears only with the first prompt), one notice per burst of writes. It reads nothing itself.
 * It owns its watcher and timer and closes them with the session.
 */
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface TranscriptWatchDeps {
  /** How long after a change notice the file is read, so one burst of writes is one read. */
  debounceMs: number;
  /** The file grew (or may have). */
  onGrowth(): void;
  onWatchError(dir: string, err: unknown): void;
}

export class TranscriptWatch {
  private path: string | null = null;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly deps: TranscriptWatchDeps) {}

  /** Watches `path`'s directory for changes to it (in place of any file watched before). */
  watch(path: string): void {
    this.watcher?.close();
    this.watcher = null;
    this.path = path;
    if (this.closed) return;
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true });
      const watcher = watch(dir, (_event, file) => {
        if (!file || file === basename(path)) this.scheduleRead();
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

  /** Whether a file is watched (watching began and has not been closed). */
  get watching(): boolean {
    return this.path !== null && !this.closed;
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
