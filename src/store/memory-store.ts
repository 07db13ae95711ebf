/**
 * Memory bridge entries in SQLite (the memory_entries table): it implements the MemoryRepository of
 * src/memory by shape, storing what it is given. The one-time import is recorded in the meta table,
 * in the same transaction as the entries it brought.
 */
import { write, type Db } from './database.js';

/** One entry as stored. */
export interface StoredMemoryDocument {
  namespace: string;
  key: string;
  value: string;
  bytes: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
}

type PutOutcome = { stored: true; created: boolean } | { stored: false; full: 'total' | 'namespace'; liveBytes: number; namespaceBytes: number };

interface Row {
  namespace: string;
  key: string;
  value: string;
  bytes: number;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
}

const IMPORT_RECORD_KEY = 'memory_import';
const LIVE = '(expires_at IS NULL OR expires_at > @now)';

export class MemoryStore {
  private readonly statements;
  /**
   * Bytes of every row, live or expired: kept as rows change, so a write checks the total without
   * reading every entry (expired rows are purged first, in the same transaction, so it is the live total).
   */
  private storedBytes: number;

  constructor(private readonly db: Db) {
    this.statements = {
      get: db.prepare(`SELECT * FROM memory_entries WHERE namespace = @namespace AND key = @key AND ${LIVE}`),
      // The prefix is compared as text of its own length, so no character in it is a pattern.
      list: db.prepare(
        `SELECT * FROM memory_entries WHERE namespace IN (SELECT value FROM json_each(@namespaces)) AND substr(key, 1, length(@prefix)) = @prefix AND ${LIVE} ORDER BY key, namespace LIMIT @limit`,
      ),
      existing: db.prepare('SELECT created_at, bytes FROM memory_entries WHERE namespace = @namespace AND key = @key'),
      totalBytes: db.prepare('SELECT COALESCE(SUM(bytes), 0) AS total FROM memory_entries'),
      namespaceBytes: db.prepare('SELECT COALESCE(SUM(bytes), 0) AS total FROM memory_entries WHERE namespace = @namespace'),
      expiredBytes: db.prepare('SELECT COALESCE(SUM(bytes), 0) AS total FROM memory_entries WHERE expires_at IS NOT NULL AND expires_at <= @now'),
      upsert: db.prepare(
        `INSERT INTO memory_entries (namespace, key, value, bytes, created_at, updated_at, expires_at)
         VALUES (@namespace, @key, @value, @bytes, @createdAt, @updatedAt, @expiresAt)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, created_at = excluded.created_at,
           updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
      ),
      delete: db.prepare(`DELETE FROM memory_entries WHERE namespace = @namespace AND key = @key AND ${LIVE} RETURNING bytes`),
      purge: db.prepare('DELETE FROM memory_entries WHERE expires_at IS NOT NULL AND expires_at <= @now'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
    this.storedBytes = this.sumOfRows();
  }

  get(namespace: string, key: string, now: number): StoredMemoryDocument | null {
    const row = this.statements.get.get({ namespace, key, now }) as Row | undefined;
    return row ? document(row) : null;
  }

  list(namespaces: readonly string[], prefix: string, limit: number, now: number): StoredMemoryDocument[] {
    return (this.statements.list.all({ namespaces: JSON.stringify(namespaces), prefix, limit, now }) as Row[]).map(document);
  }

  put(entry: StoredMemoryDocument, limits: { maxTotalBytes: number; maxNamespaceBytes: number }, now: number): PutOutcome {
    return this.changingBytes<PutOutcome>(() => {
      let delta = -this.purgeInTransaction(now).bytes;
      const existing = this.statements.existing.get({ namespace: entry.namespace, key: entry.key }) as { created_at: number; bytes: number } | undefined;
      const live = this.storedBytes + delta;
      // Expired rows are purged: what the namespace holds is live.
      const inNamespace = (this.statements.namespaceBytes.get({ namespace: entry.namespace }) as { total: number }).total;
      const growth = entry.bytes - (existing?.bytes ?? 0);
      const full = live + growth > limits.maxTotalBytes ? 'total' : inNamespace + growth > limits.maxNamespaceBytes ? 'namespace' : null;
      if (full) return { result: { stored: false as const, full, liveBytes: live, namespaceBytes: inNamespace }, delta };
      // Expired rows are gone by now: an existing row is live, and keeps its creation time.
      this.statements.upsert.run({ ...entry, createdAt: existing ? existing.created_at : entry.createdAt });
      delta += growth;
      return { result: { stored: true as const, created: !existing }, delta };
    });
  }

  delete(namespace: string, key: string, now: number): boolean {
    return this.changingBytes(() => {
      const deleted = this.statements.delete.get({ namespace, key, now }) as { bytes: number } | undefined;
      return { result: deleted !== undefined, delta: -(deleted?.bytes ?? 0) };
    });
  }

  purgeExpired(now: number): number {
    return this.changingBytes(() => {
      const { count, bytes } = this.purgeInTransaction(now);
      return { result: count, delta: -bytes };
    });
  }

  importRecord(): string | null {
    return (this.statements.getMeta.get(IMPORT_RECORD_KEY) as { value: string } | undefined)?.value ?? null;
  }

  importOnce(entries: readonly StoredMemoryDocument[], record: string): void {
    write(this.db, () => {
      for (const entry of entries) this.statements.upsert.run(entry);
      this.statements.setMeta.run(IMPORT_RECORD_KEY, record);
    });
    this.storedBytes = this.sumOfRows();
  }

  /** Runs a write in a transaction and, once it committed, counts the bytes it added or removed. */
  private changingBytes<T>(change: () => { result: T; delta: number }): T {
    const { result, delta } = write(this.db, change);
    this.storedBytes += delta;
    return result;
  }

  private purgeInTransaction(now: number): { count: number; bytes: number } {
    const { total } = this.statements.expiredBytes.get({ now }) as { total: number };
    return { count: this.statements.purge.run({ now }).changes, bytes: total };
  }

  private sumOfRows(): number {
    return (this.statements.totalBytes.get() as { total: number }).total;
  }
}

function document(row: Row): StoredMemoryDocument {
  return { namespace: row.namespace, key: row.key, value: row.value, bytes: row.bytes, createdAt: row.created_at, updatedAt: row.updated_at, expiresAt: row.expires_at };
}
