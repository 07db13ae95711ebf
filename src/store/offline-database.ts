/**
 * The database of a state dir (or a backup file) opened from outside the daemon, by the CLI: to read
 * its audit log, to copy it with the online backup API while a daemon may be running, and to put a
 * backup in place of it while none is. Reading never migrates or writes the file.
 */
import { chmodSync, copyFileSync, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AegisError } from '../errors.js';
import { AuditStore } from './audit-store.js';
import { backupDatabase, type BackupResult } from './backup.js';
import { openDatabaseReadOnly, type Db } from './database.js';
import { acquireStateDirLock } from './pid-lock.js';

export const DATABASE_FILE = 'aegis.db';

/** A state dir's database file, or the file itself when `path` is one (a backup). */
export function databaseFileOf(path: string): string {
  if (!existsSync(path)) throw new AegisError('NOT_FOUND', `${path} does not exist`);
  return statSync(path).isDirectory() ? join(path, DATABASE_FILE) : path;
}

/** Runs `use` with the file opened read-only, and closes it. SQLite's errors name the file. */
export async function withDatabaseReadOnly<T>(file: string, use: (db: Db) => Promise<T> | T): Promise<T> {
  let db: Db;
  try {
    db = openDatabaseReadOnly(file);
  } catch (err) {
    throw namingFile(file, err, { anyError: true });
  }
  try {
    return await use(db);
  } catch (err) {
    throw namingFile(file, err);
  } finally {
    db.close();
  }
}

/**
 * SQLite's own messages ("unable to open database file", "file is not a database", "Cannot open
 * database because the directory does not exist") do not say which file; with the state dir taken
 * from the environment or a config file, the operator needs to know. Every error of opening the file
 * is about it; of using it, SQLite's.
 */
function namingFile(file: string, err: unknown, { anyError = false } = {}): unknown {
  if (!(err instanceof Error) || err instanceof AegisError || err.message.includes(file)) return err;
  const code = (err as { code?: unknown }).code;
  if (!anyError && !(typeof code === 'string' && code.startsWith('SQLITE_'))) return err;
  return new AegisError('STORE_UNAVAILABLE', `${file}: ${err.message}`);
}

/** The audit log of a database opened read-only; refused when the database has none (an older Aegis wrote it). */
export function auditStoreOf(db: Db, file: string): AuditStore {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
  if (!table) throw new AegisError('NOT_FOUND', `${file} has no audit log (it was written by an Aegis without one)`);
  return new AuditStore(db);
}

/** SQLite's own check of every page and index: 'ok', or what is wrong. */
export function integrityOf(db: Db): string {
  const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  return rows.map((row) => row.integrity_check).join('; ');
}

/** Copies a state dir's database to `file` with the online backup API (a daemon may be running on it). */
export async function backupStateDir(stateDir: string, file: string): Promise<BackupResult> {
  if (existsSync(file)) throw new AegisError('INVALID_REQUEST', `${file} exists already; name a new file`);
  return withDatabaseReadOnly(join(stateDir, DATABASE_FILE), async (db) => {
    try {
      return await backupDatabase(db, file);
    } catch (err) {
      // About the copy, not the database read: named as such.
      throw new AegisError('STORE_UNAVAILABLE', `cannot write the backup ${file}: ${(err as Error).message}`);
    }
  });
}

/**
 * Puts `backup` in place of the state dir's database, with no daemon running (the state-dir lock is
 * held throughout, so one starting meanwhile is refused). The database it replaces, with its WAL and
 * shared-memory files, is kept beside it as `aegis.db.before-restore-<time>`. Returns that name.
 */
export function restoreStateDir(stateDir: string, backup: string, now = new Date()): string | null {
  const release = acquireStateDirLock(stateDir);
  try {
    const target = join(stateDir, DATABASE_FILE);
    const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const kept = existsSync(target) ? `${target}.before-restore-${stamp}` : null;
    for (const suffix of ['', '-wal', '-shm']) {
      if (kept && existsSync(target + suffix)) renameSync(target + suffix, kept + suffix);
    }
    copyFileSync(backup, target);
    chmodSync(target, 0o600);
    return kept;
  } finally {
    release();
  }
}
