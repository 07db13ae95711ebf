/**
 * Backups of the live database with SQLite's online backup API (better-sqlite3's `db.backup()`): the
 * copy is consistent as of one moment while the daemon goes on reading and writing, in WAL mode or not.
 * A backup the daemon takes itself goes to `<stateDir>/backups/` under a name it makes (never one a
 * request gives), readable by the daemon's user alone.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './database.js';

export interface BackupResult {
  file: string;
  bytes: number;
  createdAt: string;
}

export async function backupDatabase(db: Db, file: string): Promise<BackupResult> {
  const createdAt = new Date().toISOString();
  await db.backup(file);
  chmodSync(file, 0o600);
  // The copy is one self-contained file: a reader opening it (read-only) needs and leaves no WAL beside it.
  const copy = new Database(file);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  return { file, bytes: statSync(file).size, createdAt };
}

/** `<stateDir>/backups/aegis-<UTC time>-<random>.db`. */
export function backupFileIn(stateDir: string, now = new Date()): string {
  const dir = join(stateDir, 'backups');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(dir, `aegis-${stamp}-${randomBytes(4).toString('hex')}.db`);
}
