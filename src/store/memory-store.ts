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

  constructor(private readonly db: Db) {
    this.statements = {
      get: db.prepare(`SELECT * FROM memory_entries WHERE namespace = @namespace AND key = @key AND ${LIVE}`),
      // The prefix is compared as text of its own length, so no character in it is a pattern.
      list: db.prepare(
        `SELECT * FROM memory_entries WHERE namespace IN (SELECT value FROM json_each(@namespaces)) AND substr(key, 1, length(@prefix)) = @prefix AND ${LIVE} ORDER BY key, namespace LIMIT @limit`,
      ),
      existing: db.prepare('SELECT created_at, expires_at FROM memory_entries WHERE namespace = @namespace AND key = @key'),
      liveBytesBesides: db.prepare(`SELECT COALESCE(SUM(bytes), 0) AS total FROM memory_entries WHERE ${LIVE} AND NOT (namespace = @namespace AND key = @key)`),
      upsert: db.prepare(
        `INSERT INTO memory_entries (namespace, key, value, bytes, created_at, updated_at, expires_at)
         VALUES (@namespace, @key, @value, @bytes, @createdAt, @updatedAt, @expiresAt)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, created_at = excluded.created_at,
           updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
      ),
      delete: db.prepare(`DELETE FROM memory_entries WHERE namespace = @namespace AND key = @key AND ${LIVE}`),
      purge: db.prepare('DELETE FROM memory_entries WHERE expires_at IS NOT NULL AND expires_at <= @now'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  get(namespace: string, key: string, now: number): StoredMemoryDocument | null {
    const row = this.statements.get.get({ namespace, key, now }) as Row | undefined;
    return row ? document(row) : null;
  }

  list(namespaces: readonly string[], prefix: string, limit: number, now: number): StoredMemoryDocument[] {
    return (this.statements.list.all({ namespaces: JSON.stringify(namespaces), prefix, limit, now }) as Row[]).map(document);
  }

  put(entry: StoredMemoryDocument, maxTotalBytes: number, now: number): { stored: true; created: boolean } | { stored: false; liveBytes: number } {
    return write(this.db, () => {
      const { total } = this.statements.liveBytesBesides.get({ namespace: entry.namespace, key: entry.key, now }) as { total: number };
      if (total + entry.bytes > maxTotalBytes) {
        const own = this.get(entry.namespace, entry.key, now);
        return { stored: false as const, liveBytes: total + (own?.bytes ?? 0) };
      }
      const existing = this.statements.existing.get({ namespace: entry.namespace, key: entry.key }) as { created_at: number; expires_at: number | null } | undefined;
      // An expired entry not yet purged is gone: its key starts afresh.
      const live = existing !== undefined && (existing.expires_at === null || existing.expires_at > now);
      this.statements.upsert.run({ ...entry, createdAt: live ? existing.created_at : entry.createdAt });
      return { stored: true as const, created: !live };
    });
  }

  delete(namespace: string, key: string, now: number): boolean {
    return write(this.db, () => this.statements.delete.run({ namespace, key, now }).changes > 0);
  }

  purgeExpired(now: number): number {
    return write(this.db, () => this.statements.purge.run({ now }).changes);
  }

  importRecord(): string | null {
    return (this.statements.getMeta.get(IMPORT_RECORD_KEY) as { value: string } | undefined)?.value ?? null;
  }

  importOnce(entries: readonly StoredMemoryDocument[], record: string): void {
    write(this.db, () => {
      for (const entry of entries) this.statements.upsert.run(entry);
      this.statements.setMeta.run(IMPORT_RECORD_KEY, record);
    });
  }
}

function document(row: Row): StoredMemoryDocument {
  return { namespace: row.namespace, key: row.key, value: row.value, bytes: row.bytes, createdAt: row.created_at, updatedAt: row.updated_at, expiresAt: row.expires_at };
}
