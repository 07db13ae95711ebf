/**
 * What docs/operations.md and docs/api.md promise about running the daemon, shown with real tmux and
 * sessions running stand-ins: replay, allowed work dirs, hook calls from elsewhere, sessions found
 * again after a restart, stall actions, closed windows, a Claude that ignores its window closing,
 * tmux missing, and a lost control connection.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon, type TestDaemonOptions } from '../support/daemon.js';
import { panePid } from '../support/hooks.js';
import { openSse } from '../support/sse.js';
import { standInClaude, standInScript } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const WORKING_SCREEN = join(import.meta.dirname, '..', 'fixtures', 'screens', 'working.txt');

/** A process's state letter from /proc, or null once it is gone. */
function processState(pid: number): string | null {
  try {
    return execFileSync('cat', [`/proc/${pid}/stat`]).toString().split(') ')[1]?.[0] ?? null;
  } catch {
    return null;
  }
}

describe('operating promises', () => {
  let t: TestDaemon | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  const start = async (options: TestDaemonOptions) => (t = await startTestDaemon(options));
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', t!.config.tmuxSocket, ...args]).toString();
  const get = async (id: string) => (await t!.api('GET', `/v1/sessions/${id}`)).body;
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await t!.api('POST', '/v1/sessions', { workDir: t!.workDir(), ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; tmux: { paneId: string; windowId: string } };
  };
  const until = async (id: string, test: (s: any) => boolean, what: string) => waitFor(async () => test(await get(id)), { timeoutMs: 15_000, what });

  it('replays from ?lastEventId= as from Last-Event-ID, and says when the replay buffer no longer holds what was missed', async () => {
    await start({ config: { claudeCommand: standInClaude(), eventReplaySize: 10 } });
    const sse = await openSse(`${t!.url}/v1/events`);
    const { id } = await create();
    const created = await sse.waitFor((e) => e.event === 'session_created' && e.data.sessionId === id);
    sse.close();
    const replay = await openSse(`${t!.url}/v1/events?lastEventId=${Number(created.id) - 1}`);
    await replay.waitFor((e) => e.event === 'session_created' && e.data.sessionId === id);
    replay.close();
    // More than ten events later, the ring has dropped the oldest.
    for (let i = 0; i < 8; i++) await create();
    await waitFor(async () => (await t!.api('GET', '/v1/sessions?status=idle')).body.sessions.length === 9, { what: 'every session to be idle' });
    const res = await fetch(`${t!.url}/v1/events`, { headers: { 'last-event-id': String(Number(created.id) - 1) } });
    const reader = res.body!.getReader();
    let text = '';
    await waitFor(async () => {
      text += new TextDecoder().decode((await reader.read()).value);
      return text.includes('no longer in the replay buffer');
    }, { what: 'the comment saying events were lost' });
    await reader.cancel();
  });

  it('refuses a workDir outside allowedWorkdirs with 403 WORKDIR_NOT_ALLOWED and accepts one inside', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aegis-allowed-'));
    try {
      await start({ config: { claudeCommand: standInClaude(), allowedWorkdirs: [root] } });
      const outside = await t!.api('POST', '/v1/sessions', { workDir: t!.workDir('elsewhere') });
      expect(outside.status).toBe(403);
      expect(outside.body.error.code).toBe('WORKDIR_NOT_ALLOWED');
      mkdirSync(join(root, 'project'));
      expect((await t!.api('POST', '/v1/sessions', { workDir: join(root, 'project') })).status).toBe(201);
    } finally {
      await t?.close();
      t = null;
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses hook calls that do not come from loopback, even with the right path and a secret', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id } = await create();
    const res = await t!.daemon.app.inject({
      method: 'POST',
      url: `/v1/hooks/Stop?session=${id}`,
      remoteAddress: '10.1.2.3',
      headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': 'whatever' },
      payload: { hook_event_name: 'Stop' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHORIZED');
  });

  it("finds sessions again after a restart: a vanished window is lost, a Claude that ended meanwhile is claude_exited", async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const vanished = await create();
    const ended = await create();
    await until(vanished.id, (s) => s.status === 'idle', 'the first to be idle');
    await until(ended.id, (s) => s.status === 'idle', 'the second to be idle');
    const endedPid = panePid(t!.config.tmuxSocket, ended.tmux.paneId);
    await t!.stop();
    tmux('kill-window', '-t', vanished.tmux.windowId);
    process.kill(endedPid, 'SIGKILL');
    await waitFor(() => tmux('display-message', '-p', '-t', ended.tmux.paneId, '#{pane_dead}').trim() === '1', { what: 'tmux to see the pane dead' });
    await t!.restart();
    expect((await get(vanished.id)).exit).toMatchObject({ reason: 'lost' });
    expect((await get(ended.id)).exit).toMatchObject({ reason: 'claude_exited' });
    expect(tmux('list-windows', '-F', '#{window_id}')).not.toContain(ended.tmux.windowId);
  });

  it('ends a stalled session with stallAction kill: session_reaped with reason stalled', async () => {
    await start({ config: { claudeCommand: standInScript(`cat '${WORKING_SCREEN}'\nexec sleep 600`), stallAction: 'kill' }, timing: { reaperIntervalMs: 100 } });
    const sse = await openSse(`${t!.url}/v1/events`);
    const { id } = await create({ stallThresholdMs: 1000 });
    const reaped = await sse.waitFor((e) => e.event === 'session_reaped' && e.data.sessionId === id, 15_000);
    sse.close();
    expect(reaped.data).toMatchObject({ reason: 'stalled', thresholdMs: 1000 });
    expect(sse.events.some((e) => e.event === 'stalled' && e.data.sessionId === id && e.data.action === 'kill')).toBe(true);
    await until(id, (s) => s.exit?.reason === 'reaped', 'the session to be reaped');
  });

  it('interrupts a stalled session with stallAction interrupt: Escape reaches the pane and the session lives on', async () => {
    await start({ config: { claudeCommand: standInScript(`cat '${WORKING_SCREEN}'\nexec sleep 600`), stallAction: 'interrupt' }, timing: { reaperIntervalMs: 100 } });
    const sse = await openSse(`${t!.url}/v1/events`);
    const { id, tmux: pane } = await create({ stallThresholdMs: 1000 });
    const stalled = await sse.waitFor((e) => e.event === 'stalled' && e.data.sessionId === id, 15_000);
    sse.close();
    expect(stalled.data).toMatchObject({ action: 'interrupt', thresholdMs: 1000 });
    // The terminal echoes the Escape the daemon pressed as ^[.
    await waitFor(() => tmux('capture-pane', '-p', '-t', pane.paneId).includes('^['), { what: 'the Escape in the pane' });
    expect((await get(id)).exit).toBeNull();
  });

  it('marks a session exited with reason window_closed when its window is closed', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux: pane } = await create();
    tmux('kill-window', '-t', pane.windowId);
    await until(id, (s) => s.exit?.reason === 'window_closed', 'the session to exit');
  });

  it('kills a Claude that outlives its closed window after the grace period when the session is deleted', async () => {
    // The stand-in ignores the hang-up its window's closing sends.
    await start({ config: { claudeCommand: standInScript(`trap '' HUP\ncat '${join(import.meta.dirname, '..', 'fixtures', 'screens', 'startup-idle.txt')}'\nexec sleep 600`) }, timing: { killGraceMs: 500 } });
    const { id, tmux: pane } = await create();
    await until(id, (s) => s.status === 'idle', 'the stand-in to look idle');
    const pid = panePid(t!.config.tmuxSocket, pane.paneId);
    const deleted = await t!.api('DELETE', `/v1/sessions/${id}`);
    expect(deleted.status).toBe(200);
    await waitFor(() => processState(pid) === null || processState(pid) === 'Z', { what: 'the stand-in to be killed' });
  });

  it('answers 503 TMUX_UNAVAILABLE when tmux cannot be run', async () => {
    await start({ config: { claudeCommand: standInClaude(), tmuxBin: '/nonexistent/tmux' } });
    const res = await t!.api('POST', '/v1/sessions', { workDir: t!.workDir() });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TMUX_UNAVAILABLE');
    expect((await t!.api('GET', '/v1/health')).body.status).toBe('degraded');
  });

  it('reconnects when only the control connection dropped, and its sessions carry on', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id } = await create();
    await until(id, (s) => s.status === 'idle', 'the stand-in to look idle');
    const [clientPid] = tmux('list-clients', '-F', '#{client_pid}').trim().split('\n').map(Number);
    process.kill(clientPid!, 'SIGKILL');
    await waitFor(async () => {
      const pids = tmux('list-clients', '-F', '#{client_pid}').trim().split('\n').filter(Boolean).map(Number);
      return pids.length === 1 && pids[0] !== clientPid && (await t!.api('GET', '/v1/health')).body.tmux.healthy === true;
    }, { what: 'a new control connection the daemon uses' });
    expect((await get(id)).status).toBe('idle');
    expect((await t!.api('POST', '/v1/sessions', { workDir: t!.workDir() })).status).toBe(201);
  });
});
