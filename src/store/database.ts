/**
 * The embedded SQLite database under the state dir: WAL mode, migrations by `user_version`, and one
 * place that turns a failing write (disk full, read-only) into a typed STORE_UNAVAILABLE error so the
 * request fails cleanly while reads keep being served.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AegisError, errorMessage } from '../errors.js';

export type Db = Database.Database;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     record TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,
  // API keys: only hashes of secrets, looked up by hash.
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     secret_hash TEXT NOT NULL UNIQUE,
     previous_secret_hash TEXT,
     grace_until TEXT,
     scopes TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     revoked_at TEXT,
     last_used_at TEXT,
     use_count INTEGER NOT NULL DEFAULT 0,
     max_sessions INTEGER,
     allowed_workdirs TEXT NOT NULL DEFAULT '[]',
     permission_profile TEXT
   );`,
  // The audit log: append-only, each entry chained to the one before by its hash (src/audit/chain.ts).
  `CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     actor_name TEXT,
     action TEXT NOT NULL,
     resource TEXT,
     ip TEXT,
     outcome TEXT NOT NULL,
     details TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX audit_log_at ON audit_log (at);
   CREATE INDEX audit_log_resource ON audit_log (resource);
   CREATE INDEX audit_log_actor ON audit_log (actor);
   CREATE INDEX audit_log_action ON audit_log (action);`,
  // Usage: each API response once per session (to count it once across restarts and /clear), totals by
  // UTC day, account and model (kept when sessions go), budget crossings already announced; key budgets.
  `CREATE TABLE usage_messages (
     session_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     account TEXT NOT NULL,
     model TEXT NOT NULL,
     day TEXT NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cache_read_tokens INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL,
     cost_usd REAL,
     PRIMARY KEY (session_id, message_id)
   ) WITHOUT ROWID;
   CREATE TABLE usage_totals (
     day TEXT NOT NULL,
     account TEXT NOT NULL,
     model TEXT NOT NULL,
     input_tokens INTEGER NOT NULL DEFAULT 0,
     output_tokens INTEGER NOT NULL DEFAULT 0,
     cache_read_tokens INTEGER NOT NULL DEFAULT 0,
     cache_write_tokens INTEGER NOT NULL DEFAULT 0,
     cost_usd REAL NOT NULL DEFAULT 0,
     messages INTEGER NOT NULL DEFAULT 0,
     unpriced_messages INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (account, day, model)
   ) WITHOUT ROWID;
   CREATE TABLE budget_crossings (
     subject TEXT NOT NULL,
     period TEXT NOT NULL,
     level TEXT NOT NULL,
     at TEXT NOT NULL,
     PRIMARY KEY (subject, period, level)
   ) WITHOUT ROWID;
   ALTER TABLE api_keys ADD COLUMN budget_usd REAL;
   ALTER TABLE api_keys ADD COLUMN max_cost_usd REAL;
   ALTER TABLE api_keys ADD COLUMN max_tokens INTEGER;`,
  // The memory bridge: entries by namespace and key; times in epoch milliseconds; NULL expires_at: never.
  `CREATE TABLE memory_entries (
     namespace TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER,
     PRIMARY KEY (namespace, key)
   ) WITHOUT ROWID;
   CREATE INDEX memory_entries_expires_at ON memory_entries (expires_at) WHERE expires_at IS NOT NULL;`,
  // The audit log's anchor: the id and hash of the last entry a retention purge removed, where the
  // chain of the entries kept begins (one row at most).
  `CREATE TABLE audit_anchor (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     id INTEGER NOT NULL,
     hash TEXT NOT NULL
   );`,
  // Ended sessions found without reading every record: listing sessions asks for them on every
  // GET /v1/sessions (session-store.ts EXITED_SQL uses this expression and this condition).
  `CREATE INDEX sessions_by_status ON sessions (json_extract(record, '$.status')) WHERE json_valid(record);`,
];

/**
 * The file each open database was opened from, as the kernel knows it (device and inode). A file
 * removed or replaced under a running daemon takes its writes no more: they would go to the old inode,
 * which the daemon alone still holds and a restart never finds.
 */
const openedFiles = new WeakMap<Db, { file: string; dev: number; ino: number }>();

/** The version of the SQLite that the binding brings, read from a database in memory: throws when the binding does not load in this Node. */
export function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version;
  } finally {
    db.close();
  }
}

export function openDatabase(file: string): Db {
  const db = new Database(file);
  // A database a newer Aegis migrated holds what this one does not know: it is neither read nor written.
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new AegisError(
      'STORE_UNAVAILABLE',
      `${file} was written by a newer Aegis (schema ${version}; this one knows ${MIGRATIONS.length}): run that version, or restore a backup taken before it (aegis restore)`,
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  if (!db.memory) {
    const { dev, ino } = statSync(file);
    openedFiles.set(db, { file, dev, ino });
  }
  return db;
}

/** Throws STORE_UNAVAILABLE when the file `db` was opened from is no longer at its path. */
function checkStillAtItsPath(db: Db): void {
  const opened = openedFiles.get(db);
  if (!opened) return;
  let now: { dev: number; ino: number } | null;
  try {
    now = statSync(opened.file);
  } catch {
    now = null;
  }
  if (now?.dev === opened.dev && now.ino === opened.ino) return;
  throw new AegisError(
    'STORE_UNAVAILABLE',
    `the database file ${opened.file} was removed or replaced while Aegis runs, so nothing more is written (a restart would not find it): ` +
      'take a backup (POST /v1/admin/backup), put it back as that file, and restart Aegis',
  );
}

/**
 * Opens a database file to read it and nothing else: no migration, no journal mode change, no write
 * (an offline check of a state dir or a backup leaves the file as it found it). Refuses a file that is
 * not an Aegis database, or one newer than this version knows.
 */
export function openDatabaseReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new AegisError('STORE_UNAVAILABLE', `${file} was written by a newer Aegis (schema ${version}; this one knows ${MIGRATIONS.length})`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** Runs a write in a transaction; a storage failure becomes STORE_UNAVAILABLE (503). */
export function write<T>(db: Db, action: () => T): T {
  checkStillAtItsPath(db);
  try {
    return db.transaction(action)();
  } catch (err) {
    if (err instanceof AegisError) throw err;
    throw new AegisError('STORE_UNAVAILABLE', `the state store cannot be written: ${errorMessage(err)}`);
  }
}
