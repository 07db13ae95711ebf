import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';
import { EXITED_SQL, SessionStore } from './session-store.js';

describe('SessionStore', () => {
  let dir = '';
  let db: Db | undefined;
  afterEach(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads only the ended sessions, oldest first; a document that is not JSON stops neither query', () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-session-store-'));
    db = openDatabase(join(dir, 'aegis.db'));
    const store = new SessionStore(db);
    store.save({ id: 'late', status: 'exited', createdAt: '2026-01-03T00:00:00.000Z' } as { id: string });
    store.save({ id: 'running', status: 'working', createdAt: '2026-01-01T00:00:00.000Z' } as { id: string });
    store.save({ id: 'early', status: 'exited', createdAt: '2026-01-02T00:00:00.000Z' } as { id: string });
    db.prepare('INSERT INTO sessions (id, record, updated_at) VALUES (?, ?, ?)').run('broken', '{"status": "exited"', new Date().toISOString());
    expect(store.exited().map((row) => row.id)).toEqual(['early', 'late']);
    // all() said it hands such a document back as its text, and threw instead (malformed JSON).
    expect(store.all().map((row) => row.document)).toContain('{"status": "exited"');
  });

  it('finds the ended sessions by an index on their status, not by reading every record (every GET /v1/sessions asks)', () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-session-store-'));
    db = openDatabase(join(dir, 'aegis.db'));
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${EXITED_SQL}`).all() as Array<{ detail: string }>).map((step) => step.detail);
    expect(plan.some((step) => step.includes('USING INDEX sessions_by_status'))).toBe(true);
    expect(plan.some((step) => step.startsWith('SCAN sessions'))).toBe(false);
  });

  it('reads the ended sessions again only after a write of its own, and hands out frozen documents (every GET /v1/sessions asks)', () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-session-store-'));
    db = openDatabase(join(dir, 'aegis.db'));
    const store = new SessionStore(db);
    store.save({ id: 'one', status: 'exited', createdAt: '2026-01-01T00:00:00.000Z', exit: { reason: 'deleted' } } as { id: string });
    const first = store.exited();
    expect(first.map((row) => row.id)).toEqual(['one']);
    db.prepare('INSERT INTO sessions (id, record, updated_at) VALUES (?, ?, ?)').run('behind-its-back', '{"id":"behind-its-back","status":"exited","createdAt":"2026-01-01T12:00:00.000Z"}', new Date().toISOString());
    expect(store.exited()).toBe(first);
    expect(Object.isFrozen(first[0]!.document)).toBe(true);
    expect(Object.isFrozen((first[0]!.document as { exit: object }).exit)).toBe(true);
    store.save({ id: 'two', status: 'exited', createdAt: '2026-01-02T00:00:00.000Z' } as { id: string });
    expect(store.exited().map((row) => row.id)).toEqual(['one', 'behind-its-back', 'two']);
    store.remove('one');
    expect(store.exited().map((row) => row.id)).toEqual(['behind-its-back', 'two']);
  });

  it('counts the records again only after a write of its own (health asks for the count on every request)', () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-session-store-'));
    db = openDatabase(join(dir, 'aegis.db'));
    const store = new SessionStore(db);
    store.save({ id: 'a' });
    expect(store.count()).toBe(1);
    // A row written behind the store's back is not counted until the store writes: it was not asked again.
    db.prepare('INSERT INTO sessions (id, record, updated_at) VALUES (?, ?, ?)').run('b', '{}', new Date().toISOString());
    expect(store.count()).toBe(1);
    store.save({ id: 'c' });
    expect(store.count()).toBe(3);
    store.remove('a');
    expect(store.count()).toBe(2);
  });
});
