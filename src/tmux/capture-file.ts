/**
 * Where a pane's screen is read: tmux writes it to a file (`capture-pane -b` then `save-buffer`) rather
 * than answering it over the control connection. tmux does not escape a command's output there, so a
 * screen line that reads `%end <time> <number> <flags>` with the number of the capture's own reply
 * would end the reply early, and every line after it would be read as a notification tmux never sent
 * (a window closed, a pane dead) or as the start of a reply, desynchronising every later command. The
 * connection carries only tmux's own lines; the pane's text goes through a file in a directory only
 * the daemon's user can open.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TmuxError } from './tmux-error.js';

/** More than any screen with its colours (1000 columns × 500 rows of escape sequences); a larger file is not a capture. */
const MAX_CAPTURE_BYTES = 32 * 1024 * 1024;
const PREFIX = 'aegis-capture-';
/** A capture file older than this was left by a daemon that stopped between saving and reading it. */
const STALE_MS = 60_000;

export class CaptureFiles {
  private count = 0;
  private made = false;
  /** Part of every buffer and file name: daemons (or servers of one process) that share a tmux server never take each other's. */
  private readonly tag: string;

  constructor(
    private readonly dir: string,
    owner: string,
  ) {
    this.tag = `${owner}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** A fresh buffer name and the file its capture is saved to; the first call makes the directory and sweeps it. */
  next(): { buffer: string; file: string } {
    if (!this.made) {
      try {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      } catch (err) {
        throw new TmuxError('capture-pane', 'failed', `cannot make ${this.dir} for the screens tmux saves: ${(err as Error).message}`);
      }
      this.sweep();
      this.made = true;
    }
    const buffer = `${PREFIX}${this.tag}-${++this.count}`;
    return { buffer, file: join(this.dir, `${buffer}.txt`) };
  }

  /** Removes capture files left by a daemon that stopped mid-capture. */
  private sweep(): void {
    const now = Date.now();
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(PREFIX)) continue;
      const path = join(this.dir, name);
      try {
        if (now - lstatSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
      } catch {
        // gone meanwhile
      }
    }
  }

  /**
   * The capture's lines, and the file removed. Opened without following a link and without waiting (a
   * FIFO put in its place fails rather than blocks), read only when it is a regular file of bounded size.
   */
  read(file: string): string[] {
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      throw new TmuxError('save-buffer', 'failed', `cannot read the screen tmux saved: ${(err as Error).message}`);
    } finally {
      rmSync(file, { force: true });
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile() || stat.size > MAX_CAPTURE_BYTES) throw new TmuxError('save-buffer', 'failed', 'the saved screen is not a regular file of a screen\'s size');
      const bytes = Buffer.alloc(stat.size);
      let read = 0;
      while (read < bytes.length) {
        const n = readSync(fd, bytes, read, bytes.length - read, read);
        if (n === 0) break;
        read += n;
      }
      const text = bytes.subarray(0, read).toString('utf8');
      const lines = text.split('\n');
      // capture-pane ends every line with a line break: the piece after the last one is empty.
      if (lines.at(-1) === '') lines.pop();
      return lines;
    } finally {
      closeSync(fd);
    }
  }

  /** Removes what a capture that failed may have left. */
  discard(file: string): void {
    rmSync(file, { force: true });
  }
}
