import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { purgeAudit } from '../audit/retention.js';
import { verifyChain } from '../audit/verify.js';
import { AuditStore } from './audit-store.js';
import { openDatabase, openDatabaseReadOnly } from './database.js';

describe('the audit log in SQLite', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-audit-store-'));
    dirs.push(dir);
    return join(dir, 'aegis.db');
  };

  it('pages by id with each filter, and keeps the anchor of a purge across a reopen, read-only too', async () => {
    const path = file();
    const db = openDatabase(path);
    let now = Date.parse('2026-01-01T00:00:00Z');
    const log = new AuditLog(new AuditStore(db), { includeText: false, logger: { error: () => {} }, now: () => new Date(now) });
    for (let i = 0; i < 6; i++) {
      now += 24 * 3600 * 1000;
      log.record({ actor: i % 2 ? 'master' : 'key_1', action: i < 3 ? 'session.send' : 'key.create', resource: `r${i % 3}`, outcome: 'ok', details: { i } });
    }
    const store = new AuditStore(db);
    expect(store.page({ actor: 'master', limit: 10 }).map((e) => e.id)).toEqual([2, 4, 6]);
    expect(store.page({ action: 'key.create', resource: 'r0', limit: 10 }).map((e) => e.id)).toEqual([4]);
    expect(store.page({ start: '2026-01-03T00:00:00.000Z', end: '2026-01-05T00:00:00.000Z', limit: 10 }).map((e) => e.id)).toEqual([2, 3]);
    expect(store.page({ afterId: 2, maxId: 5, limit: 2 }).map((e) => e.id)).toEqual([3, 4]);

    expect(purgeAudit(log, 2, new Date(now))).toBe(3);
    db.close();

    const reader = openDatabaseReadOnly(path);
    try {
      const kept = new AuditStore(reader);
      expect(kept.anchor()?.id).toBe(3);
      expect(kept.page({ limit: 10 }).map((e) => e.action)).toEqual(['key.create', 'key.create', 'key.create', 'audit.purge']);
      expect(await verifyChain(kept)).toEqual({ ok: true, checked: 4, firstBrokenId: null });
    } finally {
      reader.close();
    }

    const writer = openDatabase(path);
    writer.exec("UPDATE audit_anchor SET hash = '" + '1'.repeat(64) + "'");
    expect(await verifyChain(new AuditStore(writer))).toEqual({ ok: false, checked: 1, firstBrokenId: 4 });
    writer.close();
  });
});
