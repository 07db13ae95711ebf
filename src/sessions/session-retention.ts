/**
 * Retention of ended sessions, on the upkeep's daemon-wide tick: a session that ended more than
 * `memoryMinutes` ago leaves the daemon's memory (asked for again, it is read back from the store and
 * its transcript, and leaves again as long after), and the record of one that ended more than `days`
 * ago leaves the store. The sweep runs every `intervalMs`, not on every tick: it reads the whole store.
 */
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Session } from './session.js';
import { sessionRecordSchema, type SessionRecord } from './session-record.js';
import type { SessionRegistry } from './session-registry.js';
import type { SessionRepository } from './session-repository.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export interface SessionRetentionDeps {
  retention: Config['sessionRetention'];
  registry: SessionRegistry;
  repository: Pick<SessionRepository, 'exited'>;
  intervalMs: number;
  logger: Logger;
  /** Lets an ended session go from memory; its record stays. */
  release(session: Session): void;
  /** Removes an ended session's record and what belongs to it. */
  purge(record: SessionRecord): void;
}

export class SessionRetention {
  /** Sessions read back from the store, by id, with when: they stay in memory that long from then. */
  private readonly readBackAt = new Map<string, number>();
  private lastSweepAt = -Infinity;

  constructor(private readonly deps: SessionRetentionDeps) {}

  /** A released session was read back into memory for a caller. */
  readBack(id: string, now = Date.now()): void {
    this.readBackAt.set(id, now);
  }

  tick(now = Date.now()): void {
    if (now - this.lastSweepAt < this.deps.intervalMs) return;
    this.lastSweepAt = now;
    this.releaseEnded(now);
    this.purgeEnded(now);
  }

  private releaseEnded(now: number): void {
    const keepMs = this.deps.retention.memoryMinutes * MINUTE_MS;
    // Read back, then deleted: nothing to keep time for.
    for (const id of this.readBackAt.keys()) if (!this.deps.registry.get(id)) this.readBackAt.delete(id);
    for (const session of this.deps.registry.all()) {
      if (!session.exited) continue;
      const view = session.view();
      const since = Math.max(endedAt(view), this.readBackAt.get(session.id) ?? -Infinity);
      if (!(now - since >= keepMs)) continue;
      this.readBackAt.delete(session.id);
      this.deps.release(session);
    }
  }

  private purgeEnded(now: number): void {
    const { days } = this.deps.retention;
    if (days === undefined) return;
    const before = now - days * DAY_MS;
    for (const { document } of this.deps.repository.exited()) {
      const parsed = sessionRecordSchema.safeParse(document);
      if (!parsed.success || parsed.data.status !== 'exited' || !(endedAt(parsed.data) < before)) continue;
      try {
        this.readBackAt.delete(parsed.data.id);
        this.deps.purge(parsed.data);
      } catch (err) {
        this.deps.logger.warn({ sessionId: parsed.data.id, err: errorMessage(err) }, 'cannot remove an ended session past its retention; trying again at the next sweep');
      }
    }
  }
}

/** When a session ended, in ms (NaN when its record cannot tell: such a one is kept). */
function endedAt(record: Pick<SessionRecord, 'exit'> & { statusChangedAt?: string }): number {
  return Date.parse(record.exit?.at ?? record.statusChangedAt ?? '');
}
