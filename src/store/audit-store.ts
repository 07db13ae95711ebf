/**
 * The audit log in SQLite (the audit_log table): it implements the AuditRepository of src/audit by
 * shape. Rows are inserted and read, never updated; each read is one bounded page, so no statement
 * stays open between pages (better-sqlite3 allows no other statement on a connection while one
 * iterates).
 */
import { write, type Db } from './database.js';

export interface AuditEntryDocument {
  id: number;
  at: string;
  actor: string;
  actorName: string | null;
  action: string;
  resource: string | null;
  ip: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditPageQuery {
  afterId?: number;
  maxId?: number;
  start?: string;
  end?: string;
  actor?: string;
  action?: string;
  resource?: string;
  limit: number;
}

interface Row {
  id: number;
  at: string;
  actor: string;
  actor_name: string | null;
  action: string;
  resource: string | null;
  ip: string | null;
  outcome: string;
  details: string;
  hash: string;
}

export class AuditStore {
  private readonly insert;
  private readonly newest;
  private readonly anchorRow;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO audit_log (id, at, actor, actor_name, action, resource, ip, outcome, details, hash) VALUES (@id, @at, @actor, @actorName, @action, @resource, @ip, @outcome, @details, @hash)',
    );
    this.newest = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    // A database opened read-only may come from before the anchor (a backup): it has none then.
    const anchored = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_anchor'").get();
    this.anchorRow = anchored ? db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_anchor') : null;
  }

  append(make: (previous: { id: number; hash: string } | null) => AuditEntryDocument): AuditEntryDocument {
    return write(this.db, () => {
      const entry = make(this.newest.get() ?? this.anchor());
      this.insert.run({ ...entry, details: JSON.stringify(entry.details) });
      return entry;
    });
  }

  last(): { id: number; hash: string } | null {
    return this.newest.get() ?? null;
  }

  anchor(): { id: number; hash: string } | null {
    return this.anchorRow?.get() ?? null;
  }

  /** The newest entry recorded before `at`, or null. */
  newestBefore(at: string): number | null {
    const row = this.db.prepare<[string], { id: number }>('SELECT id FROM audit_log WHERE at < ? ORDER BY id DESC LIMIT 1').get(at);
    return row?.id ?? null;
  }

  /** Removes the entries up to `id`, which becomes the anchor, in one transaction; returns how many went. */
  purgeThrough(id: number): number {
    return write(this.db, () => {
      const last = this.db.prepare<[number], { hash: string }>('SELECT hash FROM audit_log WHERE id = ?').get(id);
      if (!last) return 0;
      const { changes } = this.db.prepare('DELETE FROM audit_log WHERE id <= ?').run(id);
      this.db.prepare('INSERT INTO audit_anchor (singleton, id, hash) VALUES (1, ?, ?) ON CONFLICT (singleton) DO UPDATE SET id = excluded.id, hash = excluded.hash').run(id, last.hash);
      return changes;
    });
  }

  page(query: AuditPageQuery): AuditEntryDocument[] {
    const where: string[] = ['id > @afterId'];
    if (query.maxId !== undefined) where.push('id <= @maxId');
    if (query.start !== undefined) where.push('at >= @start');
    if (query.end !== undefined) where.push('at < @end');
    if (query.actor !== undefined) where.push('actor = @actor');
    if (query.action !== undefined) where.push('action = @action');
    if (query.resource !== undefined) where.push('resource = @resource');
    const rows = this.db
      .prepare<Record<string, unknown>, Row>(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`)
      .all({ ...query, afterId: query.afterId ?? 0 });
    return rows.map(documentOf);
  }
}

function documentOf(row: Row): AuditEntryDocument {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorName: row.actor_name,
    action: row.action,
    resource: row.resource,
    ip: row.ip,
    outcome: row.outcome as AuditEntryDocument['outcome'],
    details: parseDetails(row.details),
    hash: row.hash,
  };
}

/** A row edited into something that is not a JSON object reads back as such, and then fails verification. */
function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { unreadable: text };
  } catch {
    return { unreadable: text };
  }
}
