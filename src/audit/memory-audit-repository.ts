/**
 * An audit repository in memory: for tests, and for an app built without a store (the HTTP adapter's
 * own tests). The daemon keeps its log in SQLite (src/store/audit-store.ts).
 */
import type { AuditEntry, ChainLink } from './audit-entry.js';
import type { AuditQuery, AuditRepository } from './audit-repository.js';

export class MemoryAuditRepository implements AuditRepository {
  readonly entries: AuditEntry[] = [];
  anchorLink: ChainLink | null = null;

  append(make: (previous: ChainLink | null) => AuditEntry): AuditEntry {
    const entry = structuredClone(make(this.last() ?? this.anchorLink));
    this.entries.push(entry);
    return entry;
  }

  last(): ChainLink | null {
    const newest = this.entries.at(-1);
    return newest ? { id: newest.id, hash: newest.hash } : null;
  }

  anchor(): ChainLink | null {
    return this.anchorLink;
  }

  newestBefore(at: string): number | null {
    return this.entries.filter((e) => e.at < at).at(-1)?.id ?? null;
  }

  purgeThrough(id: number): number {
    const last = this.entries.find((e) => e.id === id);
    if (!last) return 0;
    const count = this.entries.filter((e) => e.id <= id).length;
    this.entries.splice(0, this.entries.length, ...this.entries.filter((e) => e.id > id));
    this.anchorLink = { id: last.id, hash: last.hash };
    return count;
  }

  page(query: AuditQuery): AuditEntry[] {
    const matches = (e: AuditEntry) =>
      e.id > (query.afterId ?? 0) &&
      (query.maxId === undefined || e.id <= query.maxId) &&
      (query.start === undefined || e.at >= query.start) &&
      (query.end === undefined || e.at < query.end) &&
      (query.actor === undefined || e.actor === query.actor) &&
      (query.action === undefined || e.action === query.action) &&
      (query.resource === undefined || e.resource === query.resource);
    return this.entries.filter(matches).slice(0, query.limit).map((e) => structuredClone(e));
  }
}
