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
import type { AuditContent } from './audit-entry.js';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON holds only finite numbers');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

export function entryHash(previousHash: string, content: AuditContent): string {
  const { id, at, actor, actorName, action, resource, ip, outcome, details } = content;
  const canonical = canonicalJson({ id, at, actor, actorName, action, resource, ip, outcome, details });
  return createHash('sha256').update(`${previousHash}\n${canonical}`, 'utf8').digest('hex');
}
