/**
 * The one-time import of a `persistPath` file: the JSON a memory bridge kept before entries lived in
 * the database. It is read once (a bounded, regular file), each entry checked as a request would be,
 * and the entries and a record of the import stored in one step, so a restart never imports it again.
 * A file that cannot be read or parsed is reported and left for the operator; it does not stop the daemon.
 */
import { readFileSync, statSync } from 'node:fs';
import type { MemoryBridgeConfig } from '../config/memory-bridge-schema.js';
import type { Logger } from '../log.js';
import { namespaceOf } from './memory-bridge.js';
import { memoryKeySchema } from './memory-inputs.js';
import type { MemoryRepository, StoredMemoryEntry } from './memory-repository.js';

export type ImportReport =
  | { outcome: 'imported'; path: string; imported: number; skipped: Array<{ key: string; reason: string }> }
  | { outcome: 'already'; record: string }
  | { outcome: 'missing'; path: string }
  | { outcome: 'unreadable'; path: string; reason: string };

/** Skipped entries named in the report: enough to act on, bounded whatever the file holds. */
const MAX_REPORTED = 20;

/**
 * Imports `path` unless an import was recorded before. Entries go to the daemon's own namespace (the
 * master token's), or the shared one for `shared/` keys, under the keys the file gives.
 */
export function importPersistFile(repository: MemoryRepository, config: MemoryBridgeConfig, path: string, now: number): ImportReport {
  const record = repository.importRecord();
  if (record !== null) return { outcome: 'already', record };
  let data: unknown;
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return { outcome: 'missing', path };
    if (!stat.isFile()) throw new Error('not a regular file');
    // Whatever fits the total, with room for JSON's quoting: a larger file is not a memory file.
    const limit = 2 * config.maxTotalBytes + 1024 * 1024;
    if (stat.size > limit) throw new Error(`${stat.size} bytes, more than ${limit}`);
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return { outcome: 'unreadable', path, reason: err instanceof Error ? err.message : String(err) };
  }
  const candidates = entriesOf(data);
  if (candidates === null) return { outcome: 'unreadable', path, reason: 'expected an array of {"key","value"} entries, {"entries": [...]}, or an object of key → value' };

  const entries = new Map<string, StoredMemoryEntry>();
  const skipped: Array<{ key: string; reason: string }> = [];
  let total = 0;
  for (const candidate of candidates) {
    const key = typeof candidate.key === 'string' ? candidate.key : String(candidate.key);
    const problem = problemOf(candidate, config, now);
    const value = problem === null ? JSON.stringify(candidate.value) : '';
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    const reason = problem ?? (total + bytes > config.maxTotalBytes ? 'the total would pass maxTotalBytes' : null);
    if (reason !== null) {
      skipped.push({ key: key.slice(0, 200), reason });
      continue;
    }
    const namespace = namespaceOf({ keyId: null }, key);
    const previous = entries.get(`${namespace}\n${key}`);
    if (previous) total -= previous.bytes;
    total += bytes;
    entries.set(`${namespace}\n${key}`, { namespace, key, value, bytes, createdAt: now, updatedAt: now, expiresAt: expiryOf(candidate, now) });
  }
  repository.importOnce([...entries.values()], JSON.stringify({ path, at: new Date(now).toISOString(), imported: entries.size, skipped: skipped.length }));
  return { outcome: 'imported', path, imported: entries.size, skipped: skipped.slice(0, MAX_REPORTED) };
}

interface Candidate {
  key: unknown;
  value: unknown;
  ttlSeconds?: unknown;
  expiresAt?: unknown;
}

function entriesOf(data: unknown): Candidate[] | null {
  const list = Array.isArray(data) ? data : isObject(data) && Object.keys(data).length === 1 && Array.isArray(data.entries) ? data.entries : null;
  if (list) return list.map((item: unknown) => (isObject(item) ? (item as unknown as Candidate) : { key: undefined, value: undefined }));
  if (isObject(data)) return Object.entries(data).map(([key, value]) => ({ key, value }));
  return null;
}

function problemOf(candidate: Candidate, config: MemoryBridgeConfig, now: number): string | null {
  const key = memoryKeySchema.safeParse(candidate.key);
  if (!key.success) return `key ${key.error.issues[0]?.message ?? 'is not valid'}`;
  if (candidate.value === undefined) return 'no value';
  if (Buffer.byteLength(JSON.stringify(candidate.value)) > config.maxValueBytes) return 'the value is larger than maxValueBytes';
  const expiresAt = expiryOf(candidate, now);
  if (Number.isNaN(expiresAt)) return 'expiresAt or ttlSeconds is not a time';
  if (expiresAt !== null && expiresAt <= now) return 'expired';
  return null;
}

/** `expiresAt` (ISO text or epoch milliseconds) or `ttlSeconds` from now; null: never. NaN when neither reads as a time. */
function expiryOf(candidate: Candidate, now: number): number | null {
  if (candidate.expiresAt !== undefined && candidate.expiresAt !== null) {
    return typeof candidate.expiresAt === 'number' ? candidate.expiresAt : typeof candidate.expiresAt === 'string' ? Date.parse(candidate.expiresAt) : NaN;
  }
  if (candidate.ttlSeconds !== undefined && candidate.ttlSeconds !== null) {
    return typeof candidate.ttlSeconds === 'number' && candidate.ttlSeconds > 0 ? now + candidate.ttlSeconds * 1000 : NaN;
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Says what an import did, in the daemon's log: a problem with the file is an error to act on, not a stop. */
export function logImport(report: ImportReport, logger: Pick<Logger, 'info' | 'warn' | 'error'>): void {
  switch (report.outcome) {
    case 'imported':
      if (report.skipped.length > 0) logger.warn({ path: report.path, imported: report.imported, skipped: report.skipped }, 'imported the memory file; some entries were skipped');
      else logger.info({ path: report.path, imported: report.imported }, 'imported the memory file');
      return;
    case 'unreadable':
      logger.error({ path: report.path, reason: report.reason }, 'cannot import the memory file (memoryBridge.persistPath); fix it and restart to import it');
      return;
    case 'missing':
      logger.info({ path: report.path }, 'no memory file to import (memoryBridge.persistPath)');
      return;
    case 'already':
      return;
  }
}
