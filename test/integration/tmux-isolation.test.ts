/**
 * What a daemon's tmux server shares, and with whom: never the daemon's own settings (the auth token
 * among them), and never its windows with another daemon that happens to use the same tmux socket.
 * Sessions run a stand-in for Claude.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInClaude } from '../support/stand-in.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';

const TOKEN = 'daemon-only-secret-token-0123456789';

describe("the tmux server's environment", () => {
  let t: TestDaemon | undefined;
  const before = process.env.AEGIS_AUTH_TOKEN;
  afterEach(async () => {
    await t?.close();
    if (before === undefined) delete process.env.AEGIS_AUTH_TOKEN;
    else process.env.AEGIS_AUTH_TOKEN = before;
  });

  it("never holds the daemon's AEGIS_* variables, not even in the placeholder window that starts the server", async () => {
    // The daemon's own process environment holds the token, as it does when set by an operator.
    process.env.AEGIS_AUTH_TOKEN = TOKEN;
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() }, env: { AEGIS_AUTH_TOKEN: TOKEN, MANUS_AUTH_TOKEN: TOKEN } });
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', t!.config.tmuxSocket, ...args]).toString();
    const keeperPid = tmux('list-panes', '-a', '-F', '#{@aegis-keeper} #{pane_pid}').split('\n').find((l) => l.startsWith('1 '))?.slice(2);
    expect(keeperPid).toMatch(/^\d+$/);
    const environ = readFileSync(`/proc/${keeperPid}/environ`, 'utf8');
    expect(environ).not.toContain(TOKEN);
    expect(environ).not.toMatch(/(^|\0)(AEGIS|MANUS)_/);
    expect(tmux('show-environment', '-g')).not.toContain(TOKEN);
  });
});

describe('two daemons with different state dirs on one tmux socket', () => {
  const socket = uniqueSocket();
  let a: TestDaemon;
  let b: TestDaemon;
  beforeAll(async () => {
    const claudeCommand = standInClaude();
    a = await startTestDaemon({ config: { claudeCommand, tmuxSocket: socket } });
    b = await startTestDaemon({ config: { claudeCommand, tmuxSocket: socket } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    killTmuxServer(socket);
  });

  const windows = () => execFileSync('tmux', ['-L', socket, 'list-windows', '-a', '-F', '#{window_id}']).toString().split('\n');

  it("keeps each other's windows through restarts and orphan sweeps, and reports them as foreign", async () => {
    const sa = (await a.api('POST', '/v1/sessions', { workDir: a.workDir(), name: 'of-a' })).body;
    const sb = (await b.api('POST', '/v1/sessions', { workDir: b.workDir(), name: 'of-b' })).body;
    expect(sa.tmux.windowId).not.toBe(sb.tmux.windowId);
    // A window opened by hand belongs to neither: it is kept too.
    execFileSync('tmux', ['-L', socket, 'new-window', '-d', '-t', `=${a.config.tmuxSession}:`, '-n', 'by-hand', 'sleep', '600']);

    // Each daemon sweeps for orphans when it starts.
    await a.stop();
    await a.restart();
    await b.stop();
    await b.restart();

    expect(windows()).toEqual(expect.arrayContaining([sa.tmux.windowId, sb.tmux.windowId]));
    expect((await a.api('GET', `/v1/sessions/${sa.id}`)).body.status).not.toBe('exited');
    expect((await b.api('GET', `/v1/sessions/${sb.id}`)).body.status).not.toBe('exited');
    const report = (await b.api('GET', '/v1/diagnostics')).body.tmux;
    expect(report.socket).toBe(socket);
    expect(report.orphans.closed).toBe(0);
    expect(report.orphans.foreign.map((w: { name: string }) => w.name).sort()).toEqual(['by-hand', 'of-a']);
    expect(execFileSync('tmux', ['-L', socket, 'list-windows', '-a', '-F', '#{window_name}']).toString()).toContain('by-hand');
  });
});
