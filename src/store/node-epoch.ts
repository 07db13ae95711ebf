/**
 * The epoch of this start of the daemon: one more than that of the start before, kept in its
 * database, so the records a start writes can be told from an earlier start's.
 */
import type { MetaStore } from './meta-store.js';

const KEY = 'node_epoch';

export function nextNodeEpoch(meta: MetaStore): number {
  const previous = Number(meta.get(KEY));
  const epoch = Number.isSafeInteger(previous) && previous > 0 ? previous + 1 : 1;
  try {
    meta.set(KEY, String(epoch));
  } catch {
    // A store that takes no writes (a full disk) does not stop the daemon: it serves reads, and
    // readiness says why it takes no new work. The epoch is still one past the last one kept.
  }
  return epoch;
}
