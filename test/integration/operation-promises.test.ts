/**
 * What docs/operations.md and docs/api.md promise about running the daemon, shown with real tmux and
 * sessions running stand-ins: replay, allowed work dirs, hook calls from elsewhere, sessions found
 * again after a restart, stall actions, closed windows, a Claude that ignores its window closing,
 * tmux missing, a lost control connection, how windows are marked, what the state dir holds (and
 * never holds), the hook port after a restart on another port, escape and interrupt, the session
 * list, and a session kept from the idle reaper.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHookApp } from '../../src/http/hook-listener.js';
import { startTestDaemon, type TestDaemon, type TestDaemonOptions } from '../support/daemon.js';
import { callHook, hookSecretOf, panePid } from '../support/hooks.js';
import { openSse } from '../support/sse.js';
import { standInClaude, standInScript } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const WORKING_SCREEN = join(import.meta.dirname, '..', 'fixtures', 'screens', 'working.txt');

/** A process's state letter from /proc, or null once it is gone. */
function processState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? null;
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
    // Also as the header is spelt, for a client that copies its name into the query.
    for (const name of ['lastEventId', 'Last-Event-ID', 'last-event-id', 'last_event_id']) {
      const replay = await openSse(`${t!.url}/v1/events?${name}=${Number(created.id) - 1}`);
      await replay.waitFor((e) => e.event === 'session_created' && e.data.sessionId === id);
      replay.close();
    }
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

  it('refuses a hook call with the right secret that does not come from loopback', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux: pane } = await create();
    await until(id, (s) => s.status === 'idle', 'the stand-in to look idle');
    const secret = hookSecretOf(t!.config.tmuxSocket, pane.paneId);
    // The hook listener is bound to loopback, so such a caller cannot even connect; the route checks again.
    const hooks = await buildHookApp({ config: t!.config, supervisor: t!.daemon.supervisor, logger: pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true })) });
    try {
      const call = (remoteAddress: string) =>
        hooks.inject({ method: 'POST', url: `/v1/hooks/Notification?session=${id}`, remoteAddress, headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': secret }, payload: { hook_event_name: 'Notification' } });
      const remote = await call('10.1.2.3');
      expect(remote.statusCode).toBe(401);
      expect(remote.json().error.code).toBe('UNAUTHORIZED');
      expect((await call('::ffff:192.168.1.9')).statusCode).toBe(401);
      // The same call from loopback is heard: the origin, not the secret, was refused.
      expect((await call('127.0.0.1')).statusCode).toBe(200);
    } finally {
      await hooks.close();
    }
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

  it('names a window session-<first 8 of the id> by default and marks it with @aegis-session', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux: pane } = await create();
    expect(tmux('display-message', '-p', '-t', pane.windowId, '#{window_name}').trim()).toBe(`session-${id.slice(0, 8)}`);
    expect(tmux('show-options', '-w', '-v', '-t', pane.windowId, '@aegis-session').trim()).toBe(id);
    expect(tmux('display-message', '-p', '-t', pane.windowId, '#{session_name}').trim()).toBe(t!.config.tmuxSession);
  });

  it('keeps the state dir private and the hook secret off the disk once Claude is up: its settings are gone, the database holds its SHA-256', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux: pane } = await create();
    await until(id, (s) => s.status === 'idle', 'the stand-in to look idle');
    const secret = hookSecretOf(t!.config.tmuxSocket, pane.paneId);
    const { stateDir } = t!.config;
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    // Claude read them at start, and never again; a command the session runs could.
    await waitFor(() => !existsSync(join(stateDir, 'sessions', id, 'settings.json')), { what: 'the settings file to be removed' });
    const db = ['aegis.db', 'aegis.db-wal'].map((f) => join(stateDir, f)).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
    expect(db).not.toContain(secret);
    expect(db).toContain(createHash('sha256').update(secret).digest('hex'));
  });

  it('keeps the hook port across a restart on another API port, and serves only hook calls there', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux: pane } = await create();
    await until(id, (s) => s.status === 'idle', 'the stand-in to look idle');
    const secret = hookSecretOf(t!.config.tmuxSocket, pane.paneId);
    const hookUrl = t!.hookUrl;
    const apiPort = t!.daemon.port;
    await t!.stop();
    await t!.restart({ port: 0 });
    expect(t!.daemon.port).not.toBe(apiPort);
    expect(t!.hookUrl).toBe(hookUrl);
    const health = await fetch(`${hookUrl}/v1/health`);
    expect(health.status).toBe(404);
    expect((await health.json()).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${hookUrl}/v1/sessions`)).status).toBe(404);
    const hook = await callHook(hookUrl, 'UserPromptSubmit', { id, secret }, { prompt: 'through the kept port' });
    expect(hook.status).toBe(200);
    await until(id, (s) => s.status === 'working', 'the hook call to reach the session');
  });

  it('sends one Escape on /escape, and answers 409 SESSION_EXITED to escape and interrupt once the session has exited', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const { id, tmux: pane } = await create();
    await until(id, (s) => s.status === 'idle', 'the stand-in to look idle');
    const escaped = await t!.api('POST', `/v1/sessions/${id}/escape`);
    expect(escaped.status).toBe(200);
    expect(escaped.body).toMatchObject({ sent: true, session: { id, status: 'idle' } });
    // The terminal echoes the Escape as ^[, once.
    await waitFor(() => tmux('capture-pane', '-p', '-t', pane.paneId).includes('^['), { what: 'the Escape in the pane' });
    expect(tmux('capture-pane', '-p', '-t', pane.paneId).split('^[').length - 1).toBe(1);
    process.kill(panePid(t!.config.tmuxSocket, pane.paneId), 'SIGKILL');
    await until(id, (s) => s.status === 'exited', 'the session to exit');
    for (const action of ['escape', 'interrupt']) {
      const res = await t!.api('POST', `/v1/sessions/${id}/${action}`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('SESSION_EXITED');
    }
  });

  it('lists sessions oldest first, keeps an exited one listed until it is deleted, and filters by status', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create()).id);
    for (const id of ids) await until(id, (s) => s.status === 'idle', 'the stand-in to look idle');
    const listed = async (query = '') => ((await t!.api('GET', `/v1/sessions${query}`)).body.sessions as Array<{ id: string }>).map((s) => s.id);
    expect(await listed()).toEqual(ids);
    const first = await get(ids[0]!);
    expect(first).toMatchObject({ model: null, permissionMode: 'default', permissionProfile: null, ownerKeyId: null, pendingPermission: null, pendingQuestion: null, exit: null });
    expect(first.usage).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, byModel: [] });
    process.kill(panePid(t!.config.tmuxSocket, first.tmux.paneId), 'SIGKILL');
    await until(ids[0]!, (s) => s.status === 'exited', 'the first session to exit');
    expect(await listed()).toEqual(ids);
    expect(await listed('?status=exited')).toEqual([ids[0]]);
    expect(await listed('?status=idle')).toEqual(ids.slice(1));
    expect((await t!.api('DELETE', `/v1/sessions/${ids[0]}`)).status).toBe(200);
    expect(await listed()).toEqual(ids.slice(1));
  });

  it('never reaps a session created with idleTimeoutMs 0, while one with the default timeout is reaped', async () => {
    await start({ config: { claudeCommand: standInClaude() } });
    const forever = await create({ idleTimeoutMs: 0 });
    const usual = await create();
    await until(forever.id, (s) => s.status === 'idle', 'the first stand-in to look idle');
    await until(usual.id, (s) => s.status === 'idle', 'the second stand-in to look idle');
    t!.daemon.supervisor.tick(Date.now() + 24 * 3_600_000);
    await until(usual.id, (s) => s.exit?.reason === 'reaped', 'the usual session to be reaped');
    expect((await get(forever.id)).exit).toBeNull();
  });
});
