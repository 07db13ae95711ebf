/**
 * Audit retention (`audit.retentionDays`, off unless set): entries older than that many days are
 * removed at start and then hourly. The chain stays verifiable: the last removed entry's id and hash
 * become the anchor the kept entries chain on from, and each purge is itself an entry (`audit.purge`).
 */
import type { AuditLog } from './audit-log.js';

const DAY_MS = 24 * 3600 * 1000;
const EVERY_MS = 3600 * 1000;

/** Removes what is older than `days` before `now`; returns how many entries went. */
export function purgeAudit(log: AuditLog, days: number, now = new Date()): number {
  const before = new Date(now.getTime() - days * DAY_MS).toISOString();
  const through = log.repository.newestBefore(before);
  if (through === null) return 0;
  const purged = log.repository.purgeThrough(through);
  log.record({ actor: 'system', action: 'audit.purge', outcome: 'ok', details: { before, throughId: through, purged, retentionDays: days } });
  return purged;
}

/** Purges now and every hour; returns the stop. */
export function startAuditRetention(log: AuditLog, days: number, report: (err: unknown) => void): () => void {
  const run = () => {
    try {
      purgeAudit(log, days);
    } catch (err) {
      report(err);
    }
  };
  run();
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
