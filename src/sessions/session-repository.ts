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
  /**
   * The stored documents whose status is `exited`, oldest first (not yet validated): what a listing
   * reads for sessions no longer in memory, without reading and checking every running one's.
   */
  exited(): ReadonlyArray<{ id: string; document: unknown }>;
}
