/**
 * Retention of ended sessions against a real daemon with stand-in sessions: past
 * `sessionRetention.memoryMinutes` an exited session leaves memory yet is still listed, shown and read
 * from its record and transcript; past `sessionRetention.days` its record leaves the store, recorded
 * as `session.purge`, and its own event stream ends (a reconnect is 404), as it does on DELETE. The
 * sweep is driven through the supervisor's tick with a clock set ahead, not waited for.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse } from '../support/sse.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

describe('retention of ended sessions', () => {
  let t: TestDaemon | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  const start = async (sessionRetention: Config['sessionRetention']) => (t = await startTestDaemon({ config: { claudeCommand: standInClaude(), sessionRetention } }));
  const session = async (id: string) => t!.api('GET', `/v1/sessions/${id}`);
  const storedRecord = (id: string) => {
    const db = new Database(join(t!.config.stateDir, 'aegis.db'), { readonly: true });
    try {
      return db.prepare('SELECT record FROM sessions WHERE id = ?').get(id) as { record: string } | undefined;
    } finally {
      db.close();
    }
  };
  /** A session whose stand-in wrote one user message to its transcript and then died: exited, `claude_exited`. */
  const endedSession = async (text: string) => {
    const created = await t!.api('POST', '/v1/sessions', { workDir: t!.workDir() });
    expect(created.status).toBe(201);
    const { id, tmux } = created.body as { id: string; tmux: { paneId: string } };
    await waitFor(async () => (await session(id)).body.status === 'idle', { what: 'the stand-in to look idle' });
    const { transcriptPath } = JSON.parse(storedRecord(id)!.record) as { transcriptPath: string };
    mkdirSync(dirname(transcriptPath), { recursive: true });
    appendFileSync(transcriptPath, `${JSON.stringify({ type: 'user', message: { role: 'user', content: text }, uuid: 'u-1', timestamp: new Date().toISOString(), sessionId: id })}\n`);
    await waitFor(async () => (await t!.api('GET', `/v1/sessions/${id}/read`)).body.messages?.length === 1, { what: 'the message to be read' });
    const pid = Number(execFileSync('tmux', ['-L', t!.config.tmuxSocket, 'display-message', '-p', '-t', tmux.paneId, '#{pane_pid}']).toString().trim());
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await session(id)).body.status === 'exited', { what: 'the session to exit' });
    return id;
  };

  it('lets an exited session go from memory after memoryMinutes, still listing, showing and reading it from the store', async () => {
    await start({ memoryMinutes: 5 });
    const { supervisor } = t!.daemon;
    const id = await endedSession('kept on disk');
    const shown = (await session(id)).body;
    expect(supervisor.inMemoryCount).toBe(1);

    supervisor.tick(Date.now() + 4 * MINUTE_MS);
    expect(supervisor.inMemoryCount).toBe(1); // not yet
    supervisor.tick(Date.now() + 6 * MINUTE_MS);
    expect(supervisor.inMemoryCount).toBe(0);

    const listed = await t!.api('GET', '/v1/sessions?status=exited');
    expect(listed.body.sessions).toEqual([shown]);
    expect((await t!.api('GET', '/v1/sessions?status=idle')).body.sessions).toEqual([]);
    expect(supervisor.inMemoryCount).toBe(0); // listing reads the store, it brings nothing back
    expect((await t!.api('GET', '/v1/health')).body.sessions).toEqual({ active: 0, total: 1 });
    expect((await t!.api('GET', '/v1/sessions/health')).body).toMatchObject({ total: 1, byStatus: { exited: 1 } });
    expect(supervisor.inMemoryCount).toBe(0);

    const again = await session(id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(shown);
    const read = await t!.api('GET', `/v1/sessions/${id}/read`);
    expect(read.body.messages.map((m: { text: string }) => m.text)).toEqual(['kept on disk']);
    expect(read.body.status).toBe('exited');
    expect(supervisor.inMemoryCount).toBe(1); // read back for the caller, and let go again by a later sweep
    supervisor.tick(Date.now() + 12 * MINUTE_MS);
    expect(supervisor.inMemoryCount).toBe(0);
    expect((await t!.api('GET', '/v1/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('removes the record of a session ended more than days ago, records the purge, and ends its event stream', async () => {
    await start({ memoryMinutes: 60, days: 2 });
    const { supervisor } = t!.daemon;
    const id = await endedSession('to be purged');
    const stream = await openSse(`${t!.url}/v1/sessions/${id}/events`);
    expect(stream.status).toBe(200);

    supervisor.tick(Date.now() + 1 * DAY_MS);
    expect(storedRecord(id)).toBeDefined();
    supervisor.tick(Date.now() + 3 * DAY_MS);
    expect(storedRecord(id)).toBeUndefined();
    expect(supervisor.inMemoryCount).toBe(0);

    const removed = await stream.waitFor((e) => e.event === 'session_removed');
    expect(removed.data).toMatchObject({ sessionId: id, reason: 'purged', retentionDays: 2, endedAt: expect.any(String) });
    await waitFor(async () => (await t!.api('GET', '/v1/diagnostics')).body.connections.sse === 0, { what: 'the stream to end' });
    stream.close();
    expect((await session(id)).status).toBe(404);
    expect((await fetch(`${t!.url}/v1/sessions/${id}/events`)).status).toBe(404);
    expect((await t!.api('GET', '/v1/sessions')).body.sessions).toEqual([]);

    const purges = (await t!.api('GET', '/v1/audit?action=session.purge')).body.entries;
    expect(purges).toEqual([expect.objectContaining({ actor: 'system', action: 'session.purge', resource: id, outcome: 'ok', details: { endedAt: removed.data.endedAt, retentionDays: 2 } })]);
    expect((await t!.api('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true, firstBrokenId: null });
  });

  it('ends a session\'s event stream when the session is deleted; a reconnect is 404', async () => {
    await start({ memoryMinutes: 60 });
    const created = await t!.api('POST', '/v1/sessions', { workDir: t!.workDir() });
    const { id } = created.body as { id: string };
    const stream = await openSse(`${t!.url}/v1/sessions/${id}/events`);
    expect((await t!.api('DELETE', `/v1/sessions/${id}`)).status).toBe(200);
    const removed = await stream.waitFor((e) => e.event === 'session_removed');
    expect(removed.data).toMatchObject({ sessionId: id, reason: 'deleted' });
    await waitFor(async () => (await t!.api('GET', '/v1/diagnostics')).body.connections.sse === 0, { what: 'the stream to end' });
    stream.close();
    expect((await fetch(`${t!.url}/v1/sessions/${id}/events`, { headers: { 'last-event-id': '0' } })).status).toBe(404);
  });
});
