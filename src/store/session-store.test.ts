import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';
import { SessionStore } from './session-store.js';

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
});
