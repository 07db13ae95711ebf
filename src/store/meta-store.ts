/** Small facts the daemon keeps about itself across restarts (the meta table): one string per key. */
import { write, type Db } from './database.js';

export class MetaStore {
  private readonly getStmt;
  private readonly setStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | null {
    const row = this.getStmt.get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  set(key: string, value: string): void {
    write(this.db, () => this.setStmt.run(key, value));
  }

  /**
   * Writes one small row, to show the store takes writes now (only a committed write reaches the
   * disk); throws STORE_UNAVAILABLE when it does not.
   */
  proveWritable(): void {
    this.set('write_checked_at', new Date().toISOString());
  }
}
