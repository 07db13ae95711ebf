/**
 * Session records in SQLite, one JSON document per row, keyed by id. It stores what it is given and
 * hands back what it holds, parsed but not interpreted: validating a record is its owner's business.
 */
import { write, type Db } from './database.js';

// json_extract fails the whole query on one document that is not JSON: it is asked only of valid ones.
const CREATED_AT = "CASE WHEN json_valid(record) THEN json_extract(record, '$.createdAt') END";

/** The records of ended sessions, by the index on their status (database.ts): live sessions' records are not read. */
export const EXITED_SQL = `SELECT id, record FROM sessions WHERE json_valid(record) AND json_extract(record, '$.status') = 'exited' ORDER BY ${CREATED_AT}`;

export class SessionStore {
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly allStmt;
  private readonly findStmt;
  private readonly countStmt;
  private readonly exitedStmt;
  private counted: number | null = null;
  private exitedRows: ReadonlyArray<{ id: string; document: unknown }> | null = null;

  constructor(private readonly db: Db) {
    this.upsertStmt = db.prepare(
      'INSERT INTO sessions (id, record, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at',
    );
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE id = ?');
    this.findStmt = db.prepare('SELECT record FROM sessions WHERE id = ?');
    this.countStmt = db.prepare('SELECT COUNT(*) AS count FROM sessions');
    this.allStmt = db.prepare(`SELECT id, record FROM sessions ORDER BY ${CREATED_AT}`);
    this.exitedStmt = db.prepare(EXITED_SQL);
  }

  save(record: { id: string }): void {
    this.forgetCounts();
    write(this.db, () => this.upsertStmt.run(record.id, JSON.stringify(record), new Date().toISOString()));
  }

  remove(id: string): void {
    this.forgetCounts();
    write(this.db, () => this.deleteStmt.run(id));
  }

  /** The stored document of one session, or null; one that is not JSON comes back as its raw text. */
  find(id: string): unknown {
    const row = this.findStmt.get(id) as { record: string } | undefined;
    return row ? parseJson(row.record) : null;
  }

  /**
   * How many records there are. Asked on every GET /v1/health, so it is counted again only after a
   * write: this store is the database's only writer while the daemon runs.
   */
  count(): number {
    this.counted ??= (this.countStmt.get() as { count: number }).count;
    return this.counted;
  }

  /** Every stored document, oldest first; one that is not JSON comes back as its raw text. */
  all(): Array<{ id: string; document: unknown }> {
    return (this.allStmt.all() as { id: string; record: string }[]).map((row) => ({ id: row.id, document: parseJson(row.record) }));
  }

  /**
   * The documents whose status is `exited`, oldest first. Asked on every GET /v1/sessions, so read
   * again only after a write, like the count; the documents are frozen, being shared between callers.
   */
  exited(): ReadonlyArray<{ id: string; document: unknown }> {
    this.exitedRows ??= Object.freeze(
      (this.exitedStmt.all() as { id: string; record: string }[]).map((row) => Object.freeze({ id: row.id, document: deepFreeze(parseJson(row.record)) })),
    );
    return this.exitedRows;
  }

  private forgetCounts(): void {
    this.counted = null;
    this.exitedRows = null;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
