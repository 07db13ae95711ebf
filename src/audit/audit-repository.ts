/**
 * How the audit log persists, as src/audit needs it: entries appended at the end of the chain and
 * never changed, read back in id order a bounded page at a time (so no reader holds the whole log, and
 * no query stays open between pages). src/store implements it with SQLite.
 */
import type { AuditEntry, ChainLink } from './audit-entry.js';

export interface AuditQuery {
  /** Entries with an id above this one (the cursor). */
  afterId?: number;
  /** Only entries with an id up to this one (a snapshot's end). */
  maxId?: number;
  /** ISO time, inclusive. */
  start?: string;
  /** ISO time, exclusive. */
  end?: string;
  actor?: string;
  action?: string;
  /** The resource acted on (a session or key id). */
  resource?: string;
  limit: number;
}

export interface AuditRepository {
  /**
   * Appends the entry `make` builds from the newest one (the anchor when every entry was purged, null
   * when there never was one), in one transaction, so the chain link it builds on is the newest when it is written.
   */
  append(make: (previous: ChainLink | null) => AuditEntry): AuditEntry;
  /** Entries matching `query`, in id order, at most `query.limit`. */
  page(query: AuditQuery): AuditEntry[];
  /** The newest entry's link, or null. */
  last(): ChainLink | null;
  /** Where the kept chain begins after a purge: the last purged entry's id and hash; null before any. */
  anchor(): ChainLink | null;
  /** The id of the newest entry recorded before `at` (ISO), or null. */
  newestBefore(at: string): number | null;
  /** Removes the entries up to `id` and makes that entry the anchor, at once; returns how many went. */
  purgeThrough(id: number): number;
}
