/**
 * Verifies the hash chain: reads the log in id order, a page at a time, recomputing each entry's hash
 * from the one before (the first from the anchor a retention purge left, or from GENESIS_HASH). The first entry whose id does not follow its predecessor's, or whose hash is not
 * what its content and predecessor give, is the first broken one; checking stops there.
 */
import type { AuditRepository } from './audit-repository.js';
import { entryHash, GENESIS_HASH } from './chain.js';

export interface ChainVerdict {
  ok: boolean;
  /** Entries read, up to and including the first broken one. */
  checked: number;
  firstBrokenId: number | null;
}

const PAGE = 1000;

export async function verifyChain(repository: Pick<AuditRepository, 'page' | 'anchor'>, options: { yieldEvery?: () => Promise<void> } = {}): Promise<ChainVerdict> {
  // After a retention purge the kept chain begins at the anchor: the last purged entry's id and hash.
  const anchor = repository.anchor();
  let previousHash = anchor?.hash ?? GENESIS_HASH;
  let previousId = anchor?.id ?? 0;
  let checked = 0;
  for (;;) {
    const page = repository.page({ afterId: previousId, limit: PAGE });
    for (const entry of page) {
      checked++;
      if (entry.id !== previousId + 1 || entry.hash !== entryHash(previousHash, entry)) {
        return { ok: false, checked, firstBrokenId: entry.id };
      }
      previousHash = entry.hash;
      previousId = entry.id;
    }
    if (page.length < PAGE) return { ok: true, checked, firstBrokenId: null };
    // A long chain is checked between other work, not in one block of the event loop.
    await options.yieldEvery?.();
  }
}
