/**
 * Directories the daemon makes for a session user: the folder Claude writes the session's transcript
 * in, which the daemon watches from the start (it would otherwise create it as its own user, and
 * Claude, running as the session user, could not write there). Made one level at a time, each owned
 * by the session user; a level that is a symlink or someone else's is refused, so the user's own
 * files cannot steer where the daemon creates anything.
 */
import { lchownSync, lstatSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { UnixUser } from '../config/session-user.js';

/** Makes `dir` (under the user's Claude config dir `base`) and every missing level, owned by `user`. */
export function ensureUserDir(base: string, dir: string, user: UnixUser): void {
  const levels = relative(base, dir).split('/').filter(Boolean);
  if (levels.includes('..')) throw new Error(`${dir} is not under ${base}`);
  let current = base;
  for (const level of ['', ...levels]) {
    current = level ? join(current, level) : current;
    try {
      mkdirSync(current, { mode: 0o755 });
      lchownSync(current, user.uid, user.gid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const stat = lstatSync(current);
    if (!stat.isDirectory() || stat.uid !== user.uid) throw new Error(`${current} is not a directory of ${user.name}`);
  }
}

