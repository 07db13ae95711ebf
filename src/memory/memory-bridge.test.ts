/**
 * The memory bridge over the SQLite store, with a clock the test moves: namespaces per key and the
 * shared one, lifetimes that end without waiting, the size limits, the purge timer, and the one-time
 * import of a persistPath file (a malformed one is reported and imported once fixed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MASTER_IDENTITY, NO_LIMITS, type Identity } from '../auth/scopes.js';
import { memoryBridgeSchema } from '../config/memory-bridge-schema.js';
import { AegisError } from '../errors.js';
import { silentLogger } from '../log.js';
import { openDatabase, type Db } from '../store/database.js';
import { MemoryStore } from '../store/memory-store.js';
import { MemoryBridge } from './memory-bridge.js';
import { importPersistFile } from './memory-import.js';
import { memoryKeySchema } from './memory-inputs.js';

const keyCaller = (keyId: string): Identity => ({ kind: 'key', keyId, scopes: new Set(['memory:read', 'memory:write']), limits: NO_LIMITS });
const alice = keyCaller('key_alice');
const bob = keyCaller('key_bob');

/** What `action` threw (undefined when it threw nothing). */
function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return err;
  }
  return undefined;
}

function codeOf(action: () => unknown): string {
  const err = errorOf(action);
  if (err === undefined) return 'no error';
  if (err instanceof AegisError) return `${err.status} ${err.code}`;
  throw err;
}

describe('the memory bridge', () => {
  let dir: string;
  let db: Db;
  let now: number;
  let store: MemoryStore;
  const bridgeWith = (settings: Record<string, unknown> = {}) =>
    new MemoryBridge(store, memoryBridgeSchema.parse({ enabled: true, ...settings }), { logger: silentLogger, now: () => now });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-memory-'));
    db = openDatabase(join(dir, 'aegis.db'));
    store = new MemoryStore(db);
    now = Date.parse('2026-03-01T12:00:00Z');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores, reads, lists and deletes JSON values, telling a new entry from a replaced one', () => {
    const memory = bridgeWith();
    expect(memory.put(alice, { key: 'plan/step-1', value: { done: false, files: ['a.ts'] } })).toMatchObject({ created: true, entry: { key: 'plan/step-1', shared: false } });
    now += 1000;
    const replaced = memory.put(alice, { key: 'plan/step-1', value: { done: true } });
    expect(replaced.created).toBe(false);
    expect(replaced.entry).toEqual({
      key: 'plan/step-1', value: { done: true }, shared: false, bytes: 'plan/step-1'.length + '{"done":true}'.length,
      createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:00:01.000Z', expiresAt: null,
    });
    memory.put(alice, { key: 'plan/step-2', value: 'text' });
    memory.put(alice, { key: 'other', value: null });
    expect(memory.list(alice, 'plan/', 100).entries.map((e) => [e.key, e.value])).toEqual([['plan/step-1', { done: true }], ['plan/step-2', 'text']]);
    expect(memory.list(alice, '', 2)).toMatchObject({ truncated: true, entries: [{ key: 'other' }, { key: 'plan/step-1' }] });
    expect(memory.delete(alice, 'other')).toEqual({ key: 'other', deleted: true });
    expect(codeOf(() => memory.get(alice, 'other'))).toBe('404 MEMORY_NOT_FOUND');
    expect(codeOf(() => memory.delete(alice, 'other'))).toBe('404 MEMORY_NOT_FOUND');
  });

  it('keeps each key\'s entries to itself, and shares those under shared/', () => {
    const memory = bridgeWith();
    memory.put(alice, { key: 'notes', value: 'alice' });
    memory.put(bob, { key: 'notes', value: 'bob' });
    memory.put(MASTER_IDENTITY, { key: 'notes', value: 'daemon' });
    memory.put(alice, { key: 'shared/board', value: 'from alice' });
    expect(memory.get(alice, 'notes').value).toBe('alice');
    expect(memory.get(bob, 'notes').value).toBe('bob');
    expect(memory.get(MASTER_IDENTITY, 'notes').value).toBe('daemon');
    expect(memory.get(bob, 'shared/board')).toMatchObject({ value: 'from alice', shared: true });
    memory.put(bob, { key: 'shared/board', value: 'from bob' });
    expect(memory.get(alice, 'shared/board').value).toBe('from bob');
    expect(memory.list(bob, '', 100).entries.map((e) => `${e.key}=${String(e.value)}`)).toEqual(['notes=bob', 'shared/board=from bob']);
    memory.delete(bob, 'notes');
    expect(memory.get(alice, 'notes').value).toBe('alice');
  });

  it('never returns an entry past its lifetime, and purges it', () => {
    const memory = bridgeWith();
    memory.put(alice, { key: 'short', value: 1, ttlSeconds: 60 });
    memory.put(alice, { key: 'long', value: 2, ttlSeconds: 3600 });
    expect(memory.get(alice, 'short').expiresAt).toBe('2026-03-01T12:01:00.000Z');
    now += 59_999;
    expect(memory.get(alice, 'short').value).toBe(1);
    now += 1;
    expect(codeOf(() => memory.get(alice, 'short'))).toBe('404 MEMORY_NOT_FOUND');
    expect(memory.list(alice, '', 100).entries.map((e) => e.key)).toEqual(['long']);
    expect(codeOf(() => memory.delete(alice, 'short'))).toBe('404 MEMORY_NOT_FOUND');
    // Written again, an expired key starts afresh.
    expect(memory.put(alice, { key: 'short', value: 3 })).toMatchObject({ created: true, entry: { createdAt: '2026-03-01T12:01:00.000Z', expiresAt: null } });
    memory.put(alice, { key: 'gone', value: 4, ttlSeconds: 1 });
    now += 3600_000;
    expect(memory.purgeExpired()).toBe(2);
    expect((db.prepare('SELECT key FROM memory_entries ORDER BY key').all() as Array<{ key: string }>).map((r) => r.key)).toEqual(['short']);
  });

  it('refuses a value over maxValueBytes with 413, and an entry past maxTotalBytes with 409; expired entries do not count', () => {
    const memory = bridgeWith({ maxValueBytes: 100, maxTotalBytes: 300 });
    expect(codeOf(() => memory.put(alice, { key: 'big', value: 'x'.repeat(99) }))).toBe('413 MEMORY_VALUE_TOO_LARGE');
    expect(codeOf(() => memory.put(alice, { key: 'fits', value: 'x'.repeat(98) }))).toBe('no error');
    memory.put(bob, { key: 'b', value: 'x'.repeat(98), ttlSeconds: 10 });
    memory.put(alice, { key: 'c', value: 'x'.repeat(90) });
    const full = errorOf(() => memory.put(alice, { key: 'd', value: 'x'.repeat(50) }));
    expect(full).toMatchObject({ status: 409, code: 'MEMORY_FULL', details: { bytes: 53, liveBytes: 104 + 101 + 93, maxTotalBytes: 300 } });
    // A store opened afresh on the same database (a restart) counts the same total.
    store = new MemoryStore(db);
    expect(codeOf(() => bridgeWith({ maxValueBytes: 100, maxTotalBytes: 300 }).put(alice, { key: 'd', value: 'x'.repeat(50) }))).toBe('409 MEMORY_FULL');
    // Replacing an entry counts its new size only.
    expect(codeOf(() => memory.put(alice, { key: 'c', value: 'x'.repeat(40) }))).toBe('no error');
    memory.put(alice, { key: 'c', value: 'x'.repeat(90) });
    now += 10_000;
    expect(codeOf(() => memory.put(alice, { key: 'd', value: 'x'.repeat(50) }))).toBe('no error');
  });

  it("keeps each namespace within maxNamespaceBytes, so one caller cannot fill the others' memory", () => {
    const memory = bridgeWith({ maxValueBytes: 100, maxTotalBytes: 1000, maxNamespaceBytes: 250 });
    memory.put(alice, { key: 'a1', value: 'x'.repeat(98) });
    memory.put(alice, { key: 'a2', value: 'x'.repeat(98) });
    const full = errorOf(() => memory.put(alice, { key: 'a3', value: 'x'.repeat(98) }));
    expect(full).toMatchObject({ status: 409, code: 'MEMORY_FULL', details: { namespaceBytes: 204, maxNamespaceBytes: 250 } });
    expect((full as Error).message).toContain("this caller's entries hold 204 of their 250 bytes (memoryBridge.maxNamespaceBytes)");
    // Another key, and the shared namespace, still have room; replacing one of alice's own fits.
    expect(codeOf(() => memory.put(bob, { key: 'b1', value: 'x'.repeat(98) }))).toBe('no error');
    expect(codeOf(() => memory.put(alice, { key: 'shared/s1', value: 'x'.repeat(98) }))).toBe('no error');
    expect(codeOf(() => memory.put(alice, { key: 'a2', value: 'y'.repeat(98) }))).toBe('no error');
    memory.put(bob, { key: 'shared/s2', value: 'x'.repeat(98) });
    expect(() => memory.put(bob, { key: 'shared/s3', value: 'x'.repeat(98) })).toThrow(/the shared entries hold/);
  });

  it('answers 404 MEMORY_DISABLED when off', () => {
    const memory = new MemoryBridge(store, memoryBridgeSchema.parse({ enabled: false }), { logger: silentLogger });
    expect(codeOf(() => memory.put(alice, { key: 'a', value: 1 }))).toBe('404 MEMORY_DISABLED');
    expect(codeOf(() => memory.list(alice, '', 10))).toBe('404 MEMORY_DISABLED');
    memory.start();
    memory.close();
  });

  it('purges every reaperIntervalMs with one timer that does not hold the process, gone at close', () => {
    vi.useFakeTimers();
    try {
      const memory = bridgeWith({ reaperIntervalMs: 5000 });
      const purge = vi.spyOn(memory, 'purgeExpired');
      memory.start();
      memory.start();
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(15_000);
      expect(purge).toHaveBeenCalledTimes(3);
      memory.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses keys that are not plain names', () => {
    for (const key of ['../etc/passwd', 'a/../b', './a', 'a/.', '/abs', 'a//b', 'trail/', 'tab\there', 'nul\u0000', 'esc\u001b[31m', 'bidi\u202e', 'é', 'a b', 'k'.repeat(10_240), '']) {
      expect(memoryKeySchema.safeParse(key).success, JSON.stringify(key.slice(0, 20))).toBe(false);
    }
    for (const key of ['notes', 'shared/board', 'team:a/plan.v2', 'x@y+z=1', '..a', 'a..b', 'k'.repeat(100)]) expect(memoryKeySchema.safeParse(key).success, key).toBe(true);
  });

  describe('importing persistPath', () => {
    const config = memoryBridgeSchema.parse({ enabled: true, maxValueBytes: 1000 });
    const file = (content: string) => {
      const path = join(dir, 'memory.json');
      writeFileSync(path, content);
      return path;
    };

    it('imports entries once, into the daemon\'s namespace and the shared one, skipping what a request could not store', () => {
      const path = file(JSON.stringify([
        { key: 'notes', value: { a: 1 } },
        { key: 'shared/board', value: 'hi', ttlSeconds: 60 },
        { key: 'old', value: 1, expiresAt: '2026-01-01T00:00:00Z' },
        { key: '../escape', value: 1 },
        { key: 'huge', value: 'x'.repeat(2000) },
        { key: 'later', value: 2, expiresAt: Date.parse('2027-01-01T00:00:00Z') },
        'not an entry',
      ]));
      const report = importPersistFile(store, config, path, now);
      expect(report).toMatchObject({ outcome: 'imported', imported: 3 });
      expect(report.outcome === 'imported' && report.skipped.map((s) => `${s.key}: ${s.reason}`)).toEqual([
        'old: expired', expect.stringMatching(/^\.\.\/escape: key must not have a "\." or "\.\." segment/), 'huge: the value is larger than maxValueBytes', expect.stringMatching(/^undefined: key /),
      ]);
      const memory = bridgeWith();
      expect(memory.get(MASTER_IDENTITY, 'notes').value).toEqual({ a: 1 });
      expect(memory.get(alice, 'shared/board')).toMatchObject({ value: 'hi', expiresAt: '2026-03-01T12:01:00.000Z' });
      expect(memory.get(MASTER_IDENTITY, 'later').expiresAt).toBe('2027-01-01T00:00:00.000Z');
      expect(codeOf(() => memory.get(alice, 'notes'))).toBe('404 MEMORY_NOT_FOUND');

      memory.delete(MASTER_IDENTITY, 'notes');
      expect(importPersistFile(store, config, path, now)).toMatchObject({ outcome: 'already' });
      expect(codeOf(() => memory.get(MASTER_IDENTITY, 'notes'))).toBe('404 MEMORY_NOT_FOUND');
    });

    it('takes {"entries": [...]} and an object of key to value', () => {
      expect(importPersistFile(store, config, file('{"entries": [{"key": "a", "value": 1}]}'), now)).toMatchObject({ outcome: 'imported', imported: 1 });
      rmSync(join(dir, 'aegis.db'));
      db.close();
      db = openDatabase(join(dir, 'fresh.db'));
      store = new MemoryStore(db);
      expect(importPersistFile(store, config, file('{"a": 1, "b": {"nested": true}}'), now)).toMatchObject({ outcome: 'imported', imported: 2 });
      expect(bridgeWith().get(MASTER_IDENTITY, 'b').value).toEqual({ nested: true });
    });

    it('reports a malformed or missing file without importing, and imports it once fixed', () => {
      expect(importPersistFile(store, config, join(dir, 'absent.json'), now)).toMatchObject({ outcome: 'missing' });
      const path = file('{"notes": ');
      expect(importPersistFile(store, config, path, now)).toMatchObject({ outcome: 'unreadable', reason: expect.stringMatching(/JSON/) });
      expect(importPersistFile(store, config, file('"just text"'), now)).toMatchObject({ outcome: 'unreadable', reason: expect.stringMatching(/expected an array/) });
      expect(importPersistFile(store, config, dir, now)).toMatchObject({ outcome: 'unreadable', reason: 'not a regular file' });
      expect(importPersistFile(store, config, file('{"notes": "fixed"}'), now)).toMatchObject({ outcome: 'imported', imported: 1 });
    });
  });
});
