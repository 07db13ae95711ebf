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
   * Appends the entry `make` builds from the newest one (null when the log is empty), in one
   * transaction, so the chain link it builds on is the newest when it is written.
   */
  append(make: (previous: ChainLink | null) => AuditEntry): AuditEntry;
  /** Entries matching `query`, in id order, at most `query.limit`. */
  page(query: AuditQuery): AuditEntry[];
  /** The newest entry's link, or null. */
  last(): ChainLink | null;
}
