/**
 * The database file under a running daemon: removed or replaced behind its back, the store takes no
 * more writes (a restart would not find them), and says so, instead of answering as if they were kept.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

describe('the database file removed or replaced while the daemon runs', () => {
  let t: TestDaemon | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  const storeFile = () => join(t!.config.stateDir, 'aegis.db');

  it.each([
    ['removed', (file: string) => { for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true }); }],
    ['replaced', (file: string) => { writeFileSync(`${file}.new`, ''); renameSync(`${file}.new`, file); }],
  ])('answers 503 STORE_UNAVAILABLE to creates and readiness once the file is %s, and a backup still holds every session', async (_how, change) => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() } });
    const first = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    expect(first.status).toBe(201);
    await waitFor(async () => (await t!.api('GET', `/v1/sessions/${first.body.id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
    change(storeFile());

    const second = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    expect(second.status).toBe(503);
    expect(second.body.error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/removed or replaced/) });
    const ready = await t.api('GET', '/v1/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.reasons).toEqual([{ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/removed or replaced/) }]);
    // What was kept is still readable, and a backup copies it, to put back before a restart.
    expect((await t.api('GET', `/v1/sessions/${first.body.id}`)).status).toBe(200);
    const backup = await t.api('POST', '/v1/admin/backup');
    expect(backup.status).toBe(201);
    renameSync(backup.body.file, storeFile());
    for (const f of [`${storeFile()}-wal`, `${storeFile()}-shm`]) rmSync(f, { force: true });
    await t.stop();
    await t.restart();
    expect((await t.api('GET', '/v1/sessions')).body.sessions.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
  });
});
