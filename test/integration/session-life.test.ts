/**
 * How sessions start, end and take input when things go wrong: a start that never finishes, a pid
 * taken over by another process, an unwritable store during DELETE, the reaper racing a delivery, two
 * creates racing for one idle session, a hook secret after its session ended. Sessions run small
 * stand-in scripts, since Claude itself is not the point here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/process-alive.js';
import { startTestDaemon, type TestDaemon, type TestDaemonOptions } from '../support/daemon.js';
import { standInClaude, standInScript } from '../support/stand-in.js';
import { waitFor, within } from '../support/wait-for.js';

/** A process's state letter from /proc (S sleeping, R running, Z zombie …). */
const processState = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];

describe('the life of a session', () => {
  let t: TestDaemon | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  const start = async (options: TestDaemonOptions) => (t = await startTestDaemon(options));
  const session = async (id: string) => (await t!.api('GET', `/v1/sessions/${id}`)).body;
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await t!.api('POST', '/v1/sessions', { workDir: t!.workDir(), ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; workDir: string; tmux: { paneId: string; windowId: string } };
  };
  const idle = async (body: Record<string, unknown> = {}) => {
    const created = await create(body);
    await waitFor(async () => (await session(created.id)).status === 'idle', { what: 'the stand-in to look idle' });
    return created;
  };
  /** Claude taking a text: the user record it writes to the session's transcript (a hook's claim alone confirms nothing). */
  const takeText = async (id: string, text: string) => {
    const db = new Database(join(t!.config.stateDir, 'aegis.db'), { readonly: true });
    const { transcriptPath } = db.prepare("SELECT json_extract(record, '$.transcriptPath') AS transcriptPath FROM sessions WHERE id = ?").get(id) as { transcriptPath: string };
    db.close();
    mkdirSync(dirname(transcriptPath), { recursive: true });
    appendFileSync(transcriptPath, `${JSON.stringify({ type: 'user', message: { role: 'user', content: text }, uuid: `u-${Date.now()}`, timestamp: new Date().toISOString(), sessionId: id })}\n`);
  };
  const panePid = (paneId: string) => Number(execFileSync('tmux', ['-L', t!.config.tmuxSocket, 'display-message', '-p', '-t', paneId, '#{pane_pid}']).toString().trim());

  it('ends a session stuck in starting after startTimeoutMs as start_failed, with its last screen and a hint, and frees its slot', async () => {
    await start({ config: { claudeCommand: standInScript('echo "Still loading"\nexec sleep 600'), startTimeoutMs: 1000, maxSessions: 1 } });
    const { id } = await create();
    const ended = await waitFor(async () => ((await session(id)).status === 'exited' ? session(id) : false), { timeoutMs: 10_000, what: 'the start to fail' });
    expect(ended.exit).toMatchObject({ reason: 'start_failed', hint: expect.stringMatching(/within \d+ s \(startTimeoutMs\)/), lastScreen: expect.stringContaining('Still loading') });
    expect((await t!.api('GET', '/v1/health')).body.sessions.active).toBe(0);
    expect((await t!.api('POST', '/v1/sessions', { workDir: t!.workDir() })).status).toBe(201);
  });

  it.each([
    ['the onboarding theme picker', 'Choose the text style that looks best with your terminal', /first-run onboarding/],
    ['the choice of login method', 'Select login method:', /wants a login/],
  ])('ends a session showing %s at once as start_failed, long before its start deadline', async (_what, words, hint) => {
    await start({ config: { claudeCommand: standInScript(`echo "${words}"\necho "  1. one"\nexec sleep 600`), startTimeoutMs: 600_000 } });
    const { id } = await create();
    const ended = await waitFor(async () => ((await session(id)).status === 'exited' ? session(id) : false), { timeoutMs: 10_000, what: 'the start to fail' });
    expect(ended.exit).toMatchObject({ reason: 'start_failed', hint: expect.stringMatching(hint), lastScreen: expect.stringContaining(words) });
    expect(ended.exit.hint).not.toContain('startTimeoutMs');
  });

  it('ends a session whose Claude exits before it shows its prompt as start_failed, with its last words and a hint', async () => {
    await start({ config: { claudeCommand: standInScript('echo "Unable to connect to Anthropic services"\nsleep 1\nexit 3') } });
    const { id } = await create();
    const ended = await waitFor(async () => ((await session(id)).status === 'exited' ? session(id) : false), { timeoutMs: 10_000, what: 'the session to exit' });
    expect(ended.exit).toMatchObject({ reason: 'start_failed', hint: expect.stringMatching(/could not reach its service/), lastScreen: expect.stringContaining('Unable to connect') });
    // tmux 3.3a does not always learn a dead pane's exit status; when it does, it is the program's.
    expect([3, null]).toContain((await session(id)).exit.exitCode);
  });

  it('never SIGKILLs a process that took over a stored pid after a restart', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux } = await idle();
    expect(panePid(tmux.paneId)).toBeGreaterThan(0);
    await t!.stop();
    // Another program now holds the pid the record names (pids are reused by the system).
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const db = new Database(join(t!.config.stateDir, 'aegis.db'));
      db.prepare("UPDATE sessions SET record = json_set(record, '$.panePid', ?) WHERE id = ?").run(other.pid, id);
      db.close();
      await t!.restart();
      expect((await t!.api('DELETE', `/v1/sessions/${id}`)).status).toBe(200);
      // Killed, it would linger as a zombie of this test process: its state tells.
      expect(processState(other.pid!)).toMatch(/^[RSD]$/);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('refuses a hook call made with the secret of a session that has ended', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux } = await idle();
    const pid = panePid(tmux.paneId);
    const secret = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('STAND_IN_HOOK_SECRET='))!.slice('STAND_IN_HOOK_SECRET='.length);
    const hook = () =>
      fetch(`${t!.hookUrl}/v1/hooks/UserPromptSubmit?session=${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': secret },
        body: JSON.stringify({ hook_event_name: 'UserPromptSubmit', session_id: id, prompt: 'hi' }),
      });
    expect((await hook()).status).toBe(200);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await session(id)).status === 'exited', { what: 'the session to exit' });
    expect((await hook()).status).toBe(401);
  });

  it('answers DELETE with 503 when the store cannot be written and leaves the session running', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux } = await idle();
    t!.daemon.db.pragma('query_only = ON');
    try {
      const res = await t!.api('DELETE', `/v1/sessions/${id}`);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('STORE_UNAVAILABLE');
    } finally {
      t!.daemon.db.pragma('query_only = OFF');
    }
    expect((await session(id)).status).toBe('idle');
    expect(isProcessAlive(panePid(tmux.paneId))).toBe(true);
    await t!.stop();
    await t!.restart();
    expect((await session(id)).status).not.toBe('exited');
  });

  it('does not reap a session while text is being delivered to it', async () => {
    // A stand-in never confirms input, so each delivery takes its three attempts (2.4 s), longer than the idle timeout.
    await start({ config: { claudeCommand: standInClaude() }, timing: { deliveryAttemptMs: 800, reaperIntervalMs: 100 } });
    const { id } = await idle({ idleTimeoutMs: 1000 });
    const sent = await t!.api('POST', `/v1/sessions/${id}/send`, { text: 'hello' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ delivered: false, attempts: 3, mayArriveLater: true });
    expect((await session(id)).exit).toBeNull();
    // Idle for its timeout after the typing stopped, it is reaped as usual.
    await waitFor(async () => (await session(id)).exit?.reason === 'reaped', { what: 'the reaper to end it later' });
  });

  it('says an unconfirmed send may still arrive, and its retry with the same Idempotency-Key never types it twice', async () => {
    // The stand-in never confirms input; a hook call with its secret plays Claude taking the text late.
    await start({ config: { claudeCommand: standInClaude() }, timing: { deliveryAttemptMs: 300, deliveryAttempts: 1 } });
    const { id, tmux } = await idle();
    const text = 'late but once';
    const headers = { 'idempotency-key': 'late-1' };
    const first = await t!.api('POST', `/v1/sessions/${id}/send`, { text }, headers);
    expect(first.body).toMatchObject({ delivered: false, attempts: 1, mayArriveLater: true, error: expect.stringMatching(/Idempotency-Key/) });
    await takeText(id, text);
    const retried = await t!.api('POST', `/v1/sessions/${id}/send`, { text }, headers);
    expect(retried.body).toMatchObject({ delivered: true });
    // The terminal echoes what was typed: the text went to the pane once.
    const screen = execFileSync('tmux', ['-L', t!.config.tmuxSocket, 'capture-pane', '-p', '-t', tmux.paneId]).toString();
    expect(screen.split(text).length - 1).toBe(1);
  });

  it('never types a send twice when it is retried with its Idempotency-Key after a daemon restart', async () => {
    await start({ config: { claudeCommand: standInClaude() }, timing: { deliveryAttemptMs: 300, deliveryAttempts: 1 } });
    const { id, tmux } = await idle();
    const send = (text: string, key: string) => t!.api('POST', `/v1/sessions/${id}/send`, { text }, { 'idempotency-key': key });
    // One send confirmed before the restart, one still unconfirmed when the daemon stops.
    expect((await send('confirmed once', 'k-1')).body).toMatchObject({ delivered: false, mayArriveLater: true });
    await takeText(id, 'confirmed once');
    expect((await send('confirmed once', 'k-1')).body).toMatchObject({ delivered: true });
    expect((await send('typed once', 'k-2')).body).toMatchObject({ delivered: false, mayArriveLater: true });
    await t!.stop();
    await t!.restart();
    expect((await send('confirmed once', 'k-1')).body).toMatchObject({ delivered: true });
    expect((await send('typed once', 'k-2')).body).toMatchObject({ delivered: false, mayArriveLater: true, error: expect.stringMatching(/restarted/) });
    expect((await send('another text', 'k-1')).body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The terminal echoes what was typed: each text went to the pane once.
    const screen = execFileSync('tmux', ['-L', t!.config.tmuxSocket, 'capture-pane', '-p', '-t', tmux.paneId]).toString();
    expect(screen.split('confirmed once').length - 1).toBe(1);
    expect(screen.split('typed once').length - 1).toBe(1);
  });

  it('types nothing for a send with an Idempotency-Key that cannot be kept (the store takes no writes), so a retry after a restart never types it twice', async () => {
    await start({ config: { claudeCommand: standInClaude() }, timing: { deliveryAttemptMs: 300, deliveryAttempts: 1 } });
    const { id, tmux } = await idle();
    const send = () => t!.api('POST', `/v1/sessions/${id}/send`, { text: 'kept before typed' }, { 'idempotency-key': 'k-store' });
    t!.daemon.db.pragma('query_only = ON');
    try {
      const refused = await send();
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('STORE_UNAVAILABLE');
    } finally {
      t!.daemon.db.pragma('query_only = OFF');
    }
    const screen = () => execFileSync('tmux', ['-L', t!.config.tmuxSocket, 'capture-pane', '-p', '-t', tmux.paneId]).toString();
    expect(screen()).not.toContain('kept before typed');
    // Refused, the key is not remembered: once the store takes writes, the same send is typed, once.
    expect((await send()).body).toMatchObject({ delivered: false, mayArriveLater: true });
    await t!.stop();
    await t!.restart();
    expect((await send()).body).toMatchObject({ delivered: false, mayArriveLater: true, error: expect.stringMatching(/restarted/) });
    expect(screen().split('kept before typed').length - 1).toBe(1);
  });

  it('stops at once on SIGTERM although a send waits for a session that never shows its prompt', async () => {
    await start({ childProcess: true, config: { claudeCommand: standInScript('exec sleep 600') } });
    const { id } = await create();
    const send = t!.api('POST', `/v1/sessions/${id}/send`, { text: 'hello' }).catch(() => null);
    await waitFor(async () => (await t!.api('GET', '/v1/diagnostics')).body.connections.http >= 2, { what: 'the send to be under way' });
    const started = Date.now();
    await within(t!.stop(), 10_000, 'the daemon stopping');
    expect(Date.now() - started).toBeLessThan(10_000);
    await send;
  });

  it('answers 409 SESSION_EXITED, not 503, to a send whose pane vanished, and the session is exited', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux } = await idle();
    // A person at the terminal moves another pane into the window and kills the session's own: the
    // window lives on, so tmux reports no closed window, but the pane the session types into is gone.
    execFileSync('tmux', ['-L', t!.config.tmuxSocket, 'split-window', '-d', '-t', tmux.windowId, 'sleep', '600']);
    execFileSync('tmux', ['-L', t!.config.tmuxSocket, 'kill-pane', '-t', tmux.paneId]);
    const sent = await t!.api('POST', `/v1/sessions/${id}/send`, { text: 'hello' });
    expect(sent.status).toBe(409);
    expect(sent.body.error.code).toBe('SESSION_EXITED');
    await waitFor(async () => (await session(id)).status === 'exited', { what: 'the session to be exited' });
  });

  it('never gives one idle session to two creates that race for it', async () => {
    await start({ config: { claudeCommand: standInClaude() }, timing: { deliveryAttemptMs: 300, deliveryAttempts: 1 } });
    const first = await idle();
    const both = await Promise.all([0, 1].map(() => t!.api('POST', '/v1/sessions', { workDir: first.workDir, prompt: 'mine' })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(both.filter((r) => r.body.id === first.id)).toHaveLength(1);
  });
});
