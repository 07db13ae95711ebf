/**
 * Sessions that outlive faults, with real processes: the daemon killed outright and restarted,
 * Claude killed, the tmux server killed, a turn that stalls, sessions left idle.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

const statusOf = async (t: TestDaemon, id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body.status as string;
const untilStatus = (t: TestDaemon, id: string, status: string, timeoutMs = 30_000) =>
  waitFor(async () => (await statusOf(t, id)) === status, { timeoutMs, what: `session ${id} to be ${status}` });

describe('a daemon killed with SIGKILL', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true, childProcess: true });
  });
  afterAll(async () => {
    t?.fake?.release();
    await t?.close();
  });

  it('finds its working, idle and waiting sessions again after a restart, and they obey', async () => {
    const working = (await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: '[[hang]]' })).body.id as string;
    const idle = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    const waitingDir = t.workDir();
    const waiting = (await t.api('POST', '/v1/sessions', { workDir: waitingDir, prompt: '[[bash: echo after-restart > proof.txt]]' })).body.id as string;
    await untilStatus(t, working, 'working');
    await untilStatus(t, idle, 'idle');
    await untilStatus(t, waiting, 'permission_prompt');
    const [before] = (await t.api('GET', `/v1/sessions/${waiting}/permissions`)).body.pending as Array<{ id: string; createdAt: string }>;

    await t.kill9();
    await t.restart();

    const listed = (await t.api('GET', '/v1/sessions')).body.sessions as Array<{ id: string; status: string }>;
    expect(listed.map((s) => s.id).sort()).toEqual([working, idle, waiting].sort());
    await untilStatus(t, waiting, 'permission_prompt', 15_000);
    const pending = await waitFor(async () => {
      const list = (await t.api('GET', `/v1/sessions/${waiting}/permissions`)).body.pending;
      return list.length ? list : undefined;
    }, { timeoutMs: 15_000, what: 'the permission to be found on the screen' });
    // Found on the screen again, it is the same request: a caller holding its id still decides it.
    expect(pending[0]).toMatchObject({ id: before!.id, createdAt: before!.createdAt, source: 'screen', toolName: 'Bash' });
    expect(await statusOf(t, working)).toBe('working');
    expect(await statusOf(t, idle)).toBe('idle');

    expect((await t.api('POST', `/v1/sessions/${waiting}/approve`, { permissionId: before!.id })).status).toBe(200);
    await waitFor(() => existsSync(join(waitingDir, 'proof.txt')), { timeoutMs: 15_000, what: 'the approved command to run' });
    const sent = await t.api('POST', `/v1/sessions/${idle}/send`, { text: 'still there?' });
    expect(sent.body).toMatchObject({ delivered: true });
    const interrupted = await t.api('POST', `/v1/sessions/${working}/interrupt`);
    expect(interrupted.body).toMatchObject({ interrupted: true, session: { status: 'idle' } });
  });
});

describe('faults under a running daemon', () => {
  let t: TestDaemon;
  let events: SseClient;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true, config: { stallThresholdMs: 60_000 } });
  });
  afterEach(() => {
    events?.close();
    t?.fake?.release();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('marks a session exited as soon as Claude is killed, from the pane-death notice', async () => {
    events = await openSse(`${t.url}/v1/events`);
    const created = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body;
    await untilStatus(t, created.id, 'idle');
    const pid = Number(execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', created.tmux.paneId, '#{pane_pid}']).toString());
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const exited = await events.waitFor((e) => e.event === 'session_exited' && e.data.sessionId === created.id, 5000);
    console.log(`Claude killed → session_exited in ${Date.parse(exited.data.at) - killedAt} ms`);
    expect(exited.data.reason).toBe('claude_exited');
  });

  it('marks a turn stalled when the model stops streaming, and working again when it resumes', async () => {
    events = await openSse(`${t.url}/v1/events`);
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir(), stallThresholdMs: 2000 })).body.id as string;
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[hang]]' });
    const stalled = await events.waitFor((e) => e.event === 'stalled' && e.data.sessionId === id, 15_000);
    expect(stalled.data).toMatchObject({ thresholdMs: 2000, action: 'notify' });
    expect(await statusOf(t, id)).toBe('stalled');
    expect((await t.api('GET', '/v1/sessions/health')).body.stalled).toContain(id);
    expect((await t.api('GET', `/v1/sessions/${id}/health`)).body).toMatchObject({ status: 'stalled', stall: { stalled: true, thresholdMs: 2000 }, hints: [expect.stringContaining('interrupt')] });

    t.fake!.release();
    await events.waitFor((e) => e.event === 'status_changed' && e.data.sessionId === id && e.data.from === 'stalled');
    await untilStatus(t, id, 'idle');
    const reply = (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages.at(-1);
    expect(reply).toMatchObject({ role: 'assistant', text: 'This reply was held open and then released.' });
  });

  it('reaps a session idle past its timeout, and never one waiting on a permission', async () => {
    events = await openSse(`${t.url}/v1/events`);
    const idle = (await t.api('POST', '/v1/sessions', { workDir: t.workDir(), idleTimeoutMs: 1500 })).body.id as string;
    const waiting = (await t.api('POST', '/v1/sessions', { workDir: t.workDir(), idleTimeoutMs: 1500, prompt: '[[bash: echo x > waiting.txt]]' })).body.id as string;
    const reaped = await events.waitFor((e) => e.event === 'session_reaped' && e.data.sessionId === idle, 20_000);
    expect(reaped.data).toMatchObject({ reason: 'idle_timeout', idleTimeoutMs: 1500 });
    expect((await t.api('GET', `/v1/sessions/${idle}`)).body).toMatchObject({ status: 'exited', exit: { reason: 'reaped' } });

    await untilStatus(t, waiting, 'permission_prompt');
    t.daemon.supervisor.tick(Date.now() + 3_600_000);
    expect(await statusOf(t, waiting)).toBe('permission_prompt');
    expect(events.events.some((e) => e.event === 'session_reaped' && e.data.sessionId === waiting)).toBe(false);
    await t.api('DELETE', `/v1/sessions/${waiting}`);
  });

  it('marks every session exited when the tmux server dies, and recovers with the next session', async () => {
    const a = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    const b = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    await untilStatus(t, a, 'idle');
    await untilStatus(t, b, 'idle');
    execFileSync('tmux', ['-L', t.config.tmuxSocket, 'kill-server']);
    for (const id of [a, b]) await untilStatus(t, id, 'exited', 5000);
    expect((await t.api('GET', `/v1/sessions/${a}`)).body.exit.reason).toBe('tmux_died');
    const health = (await t.api('GET', '/v1/health')).body;
    expect(health).toMatchObject({ status: 'degraded', tmux: { healthy: false } });

    const c = (await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: 'back again' }));
    expect(c.body.error ?? null).toBeNull();
    expect(c.status).toBe(201);
    expect(c.body.promptDelivery.delivered).toBe(true);
    expect((await t.api('GET', '/v1/health')).body).toMatchObject({ status: 'ok', tmux: { healthy: true } });
  });
});
