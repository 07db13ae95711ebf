/** Session records in SQLite, one JSON document per row: the durable half of the Supervisor's state. */
// The one import of src/sessions from the store, and type-only: the record it keeps is defined where
// sessions live. It goes once src/sessions declares the repository it needs (save, remove, all of its
// SessionRecord) and this class implements that shape for any record with an id.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- type-only, see above
import type { SessionRecord } from '../sessions/session.js';
import { write, type Db } from './database.js';

export class SessionStore {
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly allStmt;

  constructor(private readonly db: Db) {
    this.upsertStmt = db.prepare(
      'INSERT INTO sessions (id, record, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at',
    );
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE id = ?');
    this.allStmt = db.prepare("SELECT record FROM sessions ORDER BY json_extract(record, '$.createdAt')");
  }

  save(record: SessionRecord): void {
    write(this.db, () => this.upsertStmt.run(record.id, JSON.stringify(record), new Date().toISOString()));
  }

  remove(id: string): void {
    write(this.db, () => this.deleteStmt.run(id));
  }

  all(): SessionRecord[] {
    return (this.allStmt.all() as { record: string }[]).map((row) => JSON.parse(row.record) as SessionRecord);
  }
}
