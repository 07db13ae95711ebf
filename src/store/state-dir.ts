/**
 * The state dir holds the database, each session's settings and the lock: only its owner may enter it.
 * It is created 0700; one found open to others (0755, 0777) is closed to 0700, since another user who
 * can list or replace its files could read a session's settings or swap them before Claude reads them.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The mode bits that let anyone but the owner in. */
const OPEN_TO_OTHERS = 0o077;

/**
 * Creates the state dir, or closes an existing one to its owner. Returns the mode it had when that
 * let others in (the caller says so), else null; throws when it cannot be created or closed.
 */
export function prepareStateDir(dir: string): { openedMode: number } | null {
  makeDirs(dir, 0o700);
  const mode = statSync(dir).mode & 0o777;
  if ((mode & OPEN_TO_OTHERS) === 0) return null;
  chmodSync(dir, 0o700);
  return { openedMode: mode };
}

/**
 * `mkdir -p`, one directory at a time. Node's recursive mkdirSync never returns when mkdir answers
 * ENOENT for a directory whose parent exists (a path on /proc or /sys): the daemon spun on it, deaf
 * to SIGTERM. This throws that error instead.
 */
function makeDirs(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at) && dirname(at) !== at; at = dirname(at)) missing.unshift(at);
  for (const path of missing) mkdirSync(path, { mode });
}
