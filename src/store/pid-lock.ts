/**
 * One daemon per state dir. The lock is the kernel's: an exclusive SQLite lock (`locking_mode =
 * EXCLUSIVE`) on `<stateDir>/aegis.lock`, held for the daemon's life and released by the kernel when
 * its process ends however it ends. Taking it is one atomic step, so of any number of daemons starting
 * at once exactly one gets it (the others wait a moment, then are refused), and there is no stale lock
 * to take over. The holder writes its pid to
 * `<stateDir>/aegis.pid`, only so a refused daemon can name it.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isProcessAlive } from '../process-alive.js';

export class LockHeldError extends Error {
  constructor(stateDir: string, pid: number | null) {
    super(`another Aegis daemon (pid ${pid ?? 'unknown'}) already uses this state dir (${stateDir}); stop it or set AEGIS_STATE_DIR`);
    this.name = 'LockHeldError';
  }
}

/**
 * The lock connections this process holds, by lock file: a second daemon in the same process is
 * refused too, and a held connection stays reachable, so garbage collection never closes it (closing
 * it would release the lock).
 */
const heldHere = new Map<string, Database.Database>();
/**
 * How long a daemon waits for others starting at the same moment to let go of the lock: eight starting
 * at once on a loaded 2-core machine all waited out one second once (the lock was free), so three.
 */
const LOCK_WAIT_MS = 3000;
/** How long a refused daemon waits for a holder that just took the lock to write its pid. */
const PID_WAIT_MS = 1000;

/**
 * Daemons that started together can all wait out LOCK_WAIT_MS without one getting through (each one's
 * read lock blocks the others, seen on a loaded 2-core machine); with no live holder named, they try
 * again after a pause of their own, so one goes first.
 */
const LOCK_ATTEMPTS = 3;
const RETRY_PAUSE_MS = { min: 20, spread: 200 };

/** Takes the state dir or throws LockHeldError; returns the release. */
export function acquireStateDirLock(stateDir: string): () => void {
  const lockFile = join(stateDir, 'aegis.lock');
  const pidFile = join(stateDir, 'aegis.pid');
  if (heldHere.has(lockFile)) throw new LockHeldError(stateDir, process.pid);
  const db = takeOrRefuse(stateDir, lockFile, pidFile);
  heldHere.set(lockFile, db);
  // Written whole under another name and renamed, so a reader never sees half a pid.
  const partial = `${pidFile}.${process.pid}`;
  writeFileSync(partial, `${process.pid}\n`, { mode: 0o600 });
  renameSync(partial, pidFile);
  return () => {
    if (!heldHere.delete(lockFile)) return;
    if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
    db.close();
  };
}

/** The lock's connection, holding it, after up to LOCK_ATTEMPTS tries while no live holder is named. */
function takeOrRefuse(stateDir: string, lockFile: string, pidFile: string): Database.Database {
  for (let attempt = 1; ; attempt++) {
    const db = tryTake(lockFile);
    if (db) return db;
    const holder = holderPid(pidFile);
    if ((holder !== null && isProcessAlive(holder)) || attempt >= LOCK_ATTEMPTS) throw new LockHeldError(stateDir, holder);
    pause(RETRY_PAUSE_MS.min + Math.random() * RETRY_PAUSE_MS.spread);
  }
}

/**
 * The lock's connection, holding it, or null when another holds it (or is taking it at the same
 * moment). Daemons starting together each read the lock file first, and SQLite refuses the one that
 * goes on to take it until the others have let go: a short wait lets one of them through. A daemon
 * that holds the lock never lets go, so against it the wait ends in a refusal.
 */
function tryTake(lockFile: string): Database.Database | null {
  const db = new Database(lockFile, { timeout: LOCK_WAIT_MS });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock, and in this mode it is kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL); DELETE FROM holder;');
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    db.exec('COMMIT');
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return null;
    throw err;
  }
}

/** Blocks this thread (a daemon takes its lock before it does anything else). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The holder's pid: the pid file may still name the previous, dead holder for a moment. */
function holderPid(pidFile: string): number | null {
  const deadline = Date.now() + PID_WAIT_MS;
  for (;;) {
    const pid = readPid(pidFile);
    if ((pid !== null && isProcessAlive(pid)) || Date.now() >= deadline) return pid;
    pause(20);
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
