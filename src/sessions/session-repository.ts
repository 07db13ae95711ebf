/**
 * How sessions persist, as sessions/ needs it: records saved whole, removed by id, and read back as
 * stored documents that sessions/ validates itself (a store holds bytes, not guarantees).
 */
import type { SessionRecord } from './session-record.js';

export interface SessionRepository {
  save(record: SessionRecord): void;
  remove(id: string): void;
  /** The stored document of one session (not yet validated), or null. */
  find(id: string): unknown;
  /** How many sessions are stored. */
  count(): number;
  /** Every stored document, oldest first, as it was read back (not yet validated). */
  all(): Array<{ id: string; document: unknown }>;
}
