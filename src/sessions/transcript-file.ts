/**
 * Reads a transcript file as the hostile data it is: anything a session runs can put something else at
 * its path. The path is looked at without following a link and opened without blocking (a FIFO
 * would otherwise hold the event loop until someone writes to it); only a regular file is read, and only
 * the one first seen there (a file that was replaced, or shrank, is refused); every read is bounded.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';

/** What a transcript file is when it is not one that can be read. */
export class TranscriptRefused extends Error {}

/** Bytes one read takes at most, unless a single record is longer. */
export const CHUNK_BYTES = 64 * 1024;
/** A record longer than this is skipped rather than buffered whole. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

export interface LinesRead {
  /** Complete lines, each ending with `\n` (empty when a record too long to keep was skipped). */
  lines: Buffer;
  /** Where the next read starts: just past the last complete line. */
  end: number;
}

export class TranscriptFile {
  /** The file first found at the path; another one found there later is not followed. */
  private identity: { dev: number; ino: number } | null = null;

  constructor(readonly path: string) {}

  /**
   * The complete lines from `offset` (at most about `CHUNK_BYTES`, never past `until`); null when
   * there is none yet (no file, or only part of a line). Throws `TranscriptRefused` for what must not
   * be read.
   */
  read(offset: number, until = Infinity): LinesRead | null {
    const before = this.look();
    if (!before) return null;
    let fd: number;
    try {
      fd = openSync(this.path, OPEN_FLAGS);
    } catch (err) {
      if (code(err) === 'ENOENT') return null;
      if (code(err) === 'ELOOP') throw new TranscriptRefused('it is a symbolic link');
      throw err;
    }
    try {
      const stat = fstatSync(fd);
      // Between the look and the open, the path may have been pointed at something else.
      if (stat.dev !== before.dev || stat.ino !== before.ino || !stat.isFile()) throw new TranscriptRefused('it was replaced while being opened');
      if (stat.size < offset) throw new TranscriptRefused('it shrank (truncated or rewritten)');
      return readLines(fd, offset, Math.min(stat.size, until));
    } finally {
      closeSync(fd);
    }
  }

  /** What is at the path, without following a link or opening it: null when nothing is. */
  private look(): Stats | null {
    let stat: Stats;
    try {
      stat = lstatSync(this.path);
    } catch (err) {
      if (code(err) === 'ENOENT') return null;
      throw err;
    }
    if (!stat.isFile()) throw new TranscriptRefused(`it is ${kindOf(stat)}, not a regular file`);
    if (this.identity && (this.identity.dev !== stat.dev || this.identity.ino !== stat.ino)) throw new TranscriptRefused('another file was put in its place');
    this.identity ??= { dev: stat.dev, ino: stat.ino };
    return stat;
  }
}

/** Complete lines between `offset` and `size`, read in one bounded piece (larger only for one long record). */
function readLines(fd: number, offset: number, size: number): LinesRead | null {
  if (size <= offset) return null;
  let want = Math.min(size - offset, CHUNK_BYTES);
  for (;;) {
    const buffer = Buffer.allocUnsafe(want);
    const read = readSync(fd, buffer, 0, want, offset);
    const lastNewline = read > 0 ? buffer.lastIndexOf(10, read - 1) : -1;
    if (lastNewline !== -1) return { lines: buffer.subarray(0, lastNewline + 1), end: offset + lastNewline + 1 };
    if (read < want || offset + read >= size) return null; // the rest of the line is still being written
    // One record larger than this read: read more of it, up to a bound, then skip it rather than stall on it.
    if (want >= MAX_RECORD_BYTES) return { lines: Buffer.alloc(0), end: offset + read };
    want = Math.min(want * 4, MAX_RECORD_BYTES, size - offset);
  }
}

function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

const code = (err: unknown): unknown => (err as NodeJS.ErrnoException | null)?.code;
