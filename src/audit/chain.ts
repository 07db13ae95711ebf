/**
 * The hash chain. An entry's hash is SHA-256, in lowercase hex, over the UTF-8 bytes of
 *
 *     <previous entry's hash> "\n" <canonical JSON of this entry's content>
 *
 * where the first entry's previous hash is GENESIS_HASH (64 zeros), and the content is every field of
 * the entry but `hash`: id, at, actor, actorName, action, resource, ip, outcome, details. Canonical JSON
 * is RFC 8785 (JCS) for the values an entry holds: object keys sorted by UTF-16 code units at every
 * depth, no whitespace, strings and numbers as JSON.stringify writes them, `null` kept, no undefined
 * members. An edited field, a deleted entry or two entries swapped change a hash that the next entry
 * (or a recomputation) no longer matches.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { AuditContent } from './audit-entry.js';

export const GENESIS_HASH = '0'.repeat(64);


export function entryHash(previousHash: string, content: AuditContent): string {
  const { id, at, actor, actorName, action, resource, ip, outcome, details } = content;
  const canonical = canonicalJson({ id, at, actor, actorName, action, resource, ip, outcome, details });
  return createHash('sha256').update(`${previousHash}\n${canonical}`, 'utf8').digest('hex');
}
