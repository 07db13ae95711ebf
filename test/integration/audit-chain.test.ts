/**
 * The audit log's hash chain against the SQLite file itself: an entry edited, deleted, or two swapped
 * in aegis.db make `aegis audit verify` (offline, read-only) and GET /v1/audit/verify name the first
 * broken entry; and backups (POST /v1/admin/backup, `aegis backup`) taken while a session works open,
 * pass SQLite's integrity check and verify, and restore into a stopped daemon's state dir.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { cli, killClis } from '../support/cli.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClaudeCommand } from '../support/fake-claude.js';
import { waitFor } from '../support/wait-for.js';

const MASTER = 'audit-chain-master-token-0123456789abcdef';
const master = { authorization: `Bearer ${MASTER}` };
const fileHash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the hash chain in the SQLite file', () => {
  let t: TestDaemon;
  let scratch: string;
  let pristine: string;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: MASTER } });
    scratch = mkdtempSync(join(tmpdir(), 'aegis-chain-'));
    // Entries 2 to 6: keys made, one of them revoked.
    for (const name of ['one', 'two', 'three', 'four']) expect((await t.api('POST', '/v1/auth/keys', { name, role: 'viewer' }, master)).status).toBe(201);
    const keys = (await t.api('GET', '/v1/auth/keys', undefined, master)).body.keys as Array<{ id: string }>;
    expect((await t.api('DELETE', `/v1/auth/keys/${keys[0]!.id}`, undefined, master)).status).toBe(200);
    expect((await t.api('GET', '/v1/audit/verify', undefined, master)).body).toEqual({ ok: true, checked: 6, firstBrokenId: null });
    await t.stop();
    pristine = join(scratch, 'pristine.db');
    copyFileSync(join(t.config.stateDir, 'aegis.db'), pristine);
  });
  afterEach(() => killClis());
  afterAll(async () => {
    await t?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const tampered = (name: string, sql: string) => {
    const file = join(scratch, `${name}.db`);
    copyFileSync(pristine, file);
    const db = new Database(file);
    db.exec(sql);
    db.close();
    return file;
  };
  const verify = async (path: string) => {
    const run = await cli(['audit', 'verify', path, '--json']);
    return { code: run.code, verdict: JSON.parse(run.stdout) as { ok: boolean; checked: number; firstBrokenId: number | null }, stderr: run.stderr };
  };

  it('finds the chain whole, reading the file without changing a byte of it', async () => {
    const before = fileHash(pristine);
    expect(await verify(pristine)).toEqual({ code: 0, verdict: { ok: true, checked: 6, firstBrokenId: null }, stderr: '' });
    expect(fileHash(pristine)).toBe(before);
    // SQLite may leave an empty WAL beside a WAL-mode file a reader opened; nothing is written to it.
    if (existsSync(`${pristine}-wal`)) expect(statSync(`${pristine}-wal`).size).toBe(0);
  });

  it.each([
    ['an edited field', `UPDATE audit_log SET actor = 'key_someone_else' WHERE id = 3`, 3],
    ['edited details', `UPDATE audit_log SET details = '{"name":"innocent"}' WHERE id = 4`, 4],
    ['a deleted entry', 'DELETE FROM audit_log WHERE id = 3', 4],
    ['two entries swapped', 'UPDATE audit_log SET id = -1 WHERE id = 3; UPDATE audit_log SET id = 3 WHERE id = 4; UPDATE audit_log SET id = 4 WHERE id = -1;', 3],
    ['an edited action', `UPDATE audit_log SET action = 'key.forged' WHERE id = 2`, 2],
  ])('names the first broken entry after %s', async (name, sql, firstBrokenId) => {
    const result = await verify(tampered(name.replace(/\W+/g, '-'), sql));
    expect(result.code).toBe(1);
    expect(result.verdict).toMatchObject({ ok: false, firstBrokenId });
    expect(result.stderr).toContain(`broken at entry ${firstBrokenId}`);
  });

  it('reports the same through GET /v1/audit/verify after a restart, whatever was appended since', async () => {
    const db = new Database(join(t.config.stateDir, 'aegis.db'));
    db.exec(`UPDATE audit_log SET ip = '10.9.9.9' WHERE id = 5`);
    db.close();
    await t.restart();
    expect((await t.api('GET', '/v1/audit/verify', undefined, master)).body).toEqual({ ok: false, checked: 5, firstBrokenId: 5 });
    // The state dir, named instead of a file, gives the same answer offline.
    await t.stop();
    expect((await verify(t.config.stateDir)).verdict).toEqual({ ok: false, checked: 5, firstBrokenId: 5 });
  });
});

describe('backups', () => {
  let t: TestDaemon;
  let scratch: string;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: MASTER, claudeCommand: fakeClaudeCommand(), allowedRequestEnv: ['FAKE_CLAUDE_SCRIPT'] } });
    scratch = mkdtempSync(join(tmpdir(), 'aegis-backup-'));
  });
  afterEach(() => killClis());
  afterAll(async () => {
    await t?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const checks = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return { integrity: db.pragma('integrity_check', { simple: true }), sessions: (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n };
    } finally {
      db.close();
    }
  };

  it('copies the live database while a session works: the copy opens, passes the integrity check and verifies', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), env: { FAKE_CLAUDE_SCRIPT: 'turn-ms=30000' } }, master);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`, undefined, master)).body.status === 'idle', { what: 'the session to be idle' });
    const sent = t.api('POST', `/v1/sessions/${id}/send`, { text: 'a long turn' }, master);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`, undefined, master)).body.status === 'working', { what: 'the session to work' });

    const [answer, offline] = await Promise.all([
      t.api('POST', '/v1/admin/backup', undefined, master),
      cli(['backup', join(scratch, 'cli-backup.db'), '--state-dir', t.config.stateDir, '--json']),
    ]);
    expect((await t.api('GET', `/v1/sessions/${id}`, undefined, master)).body.status).toBe('working');
    expect((await sent).status).toBe(200);

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const file = answer.body.file as string;
    expect(dirname(file)).toBe(join(t.config.stateDir, 'backups'));
    expect(file).toMatch(/\/aegis-\d{8}T\d{6}Z-[0-9a-f]{8}\.db$/);
    expect(answer.body.bytes).toBe(statSync(file).size);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ integrity: 'ok', audit: { ok: true, firstBrokenId: null } });

    for (const copy of [file, join(scratch, 'cli-backup.db')]) {
      expect(checks(copy)).toEqual({ integrity: 'ok', sessions: 1 });
      expect(existsSync(`${copy}-wal`), 'a backup is one file').toBe(false);
      const verified = await cli(['audit', 'verify', copy, '--json']);
      expect(verified.code, verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, firstBrokenId: null });
    }
    const recorded = (await t.api('GET', '/v1/audit?action=admin.backup', undefined, master)).body.entries;
    expect(recorded).toEqual([expect.objectContaining({ actor: 'master', outcome: 'ok', details: { file, bytes: answer.body.bytes, status: 201 } })]);
  });

  it('refuses to overwrite a file, and to restore while the daemon runs', async () => {
    const existing = join(scratch, 'cli-backup.db');
    const again = await cli(['backup', existing, '--state-dir', t.config.stateDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');
    const running = await cli(['restore', existing, '--state-dir', t.config.stateDir]);
    expect(running.code).toBe(1);
    expect(running.stderr).toContain('stop the daemon before restoring');
  });

  it('restores a backup into a stopped daemon, keeping the database it replaces', async () => {
    const backup = join(scratch, 'cli-backup.db');
    const before = fileHash(backup);
    expect((await t.api('POST', '/v1/auth/keys', { name: 'made-after-the-backup', role: 'viewer' }, master)).status).toBe(201);
    await t.stop();
    const restored = await cli(['restore', backup, '--state-dir', t.config.stateDir, '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    const answer = JSON.parse(restored.stdout);
    expect(answer.previous).toMatch(/aegis\.db\.before-restore-\d{8}T\d{6}Z$/);
    expect(existsSync(answer.previous)).toBe(true);
    expect(fileHash(backup)).toBe(before);
    await t.restart();
    const names = ((await t.api('GET', '/v1/auth/keys', undefined, master)).body.keys as Array<{ name: string }>).map((k) => k.name);
    expect(names).not.toContain('made-after-the-backup');
    expect((await t.api('GET', '/v1/audit/verify', undefined, master)).body).toMatchObject({ ok: true });
  });
});

describe('audit retention', () => {
  let t: TestDaemon;
  afterAll(async () => {
    await t?.close();
  });

  it('purges entries older than audit.retentionDays at start, and the chain still verifies', async () => {
    t = await startTestDaemon({ config: { authToken: MASTER, audit: { includeText: false, retentionDays: 30 } } });
    await t.stop();
    const db = openDatabase(join(t.config.stateDir, 'aegis.db'));
    const old = new AuditLog(new AuditStore(db), { includeText: false, logger: { error: () => {} }, now: () => new Date(Date.now() - 40 * 24 * 3600 * 1000) });
    for (let i = 0; i < 3; i++) old.record({ actor: 'system', action: 'long.ago', outcome: 'ok' });
    db.close();
    await t.restart();
    const entries = (await t.api('GET', '/v1/audit', undefined, master)).body.entries as Array<{ id: number; action: string; details: Record<string, unknown> }>;
    expect(entries.map((e) => e.action)).toEqual(['config.load', 'audit.purge']);
    expect(entries[1]!.details).toMatchObject({ throughId: 4, purged: 4, retentionDays: 30 });
    expect((await t.api('GET', '/v1/audit/verify', undefined, master)).body).toEqual({ ok: true, checked: 2, firstBrokenId: null });
  });
});
