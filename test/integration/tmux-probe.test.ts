/**
 * A tmux that fails in an unexpected way is not a dead tmux: only a probe that shows the server or
 * Aegis's tmux session is gone may end sessions. Checked with a tmux whose `has-session` fails on
 * demand while the real server and the sessions' windows live on. Sessions run a stand-in for Claude.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { faultyTmux, type FaultyTmux } from '../support/faulty-tmux.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

describe('a liveness probe that fails for an unexpected reason', () => {
  let t: TestDaemon;
  let tmuxBin: FaultyTmux;
  beforeAll(async () => {
    tmuxBin = faultyTmux();
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), tmuxBin: tmuxBin.bin } });
  });
  afterAll(async () => {
    tmuxBin?.off('hasSession');
    await t?.close();
    tmuxBin?.remove();
  });

  const statusOf = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body.status as string;
  const idleSession = async () => {
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    await waitFor(async () => (await statusOf(id)) === 'idle', { what: 'the stand-in to look idle' });
    return id;
  };
  const windows = () => execFileSync('tmux', ['-L', t.config.tmuxSocket, 'list-windows', '-F', '#{window_id}']).toString();

  it('stops startup with a tmux error instead of marking live sessions lost and closing their windows', async () => {
    const id = await idleSession();
    const { windowId } = (await t.api('GET', `/v1/sessions/${id}`)).body.tmux as { windowId: string };
    await t.stop();
    tmuxBin.on('hasSession');
    await expect(t.restart()).rejects.toThrow(/tmux.*has-session.*simulated trouble/s);
    expect(windows()).toContain(windowId);
    tmuxBin.off('hasSession');
    await t.restart();
    expect(await statusOf(id)).toBe('idle');
    expect(windows()).toContain(windowId);
  });

  it('keeps sessions when the control connection drops and the probe fails, and reconnects once tmux answers', async () => {
    const id = await idleSession();
    tmuxBin.on('hasSession');
    const probesBefore = tmuxBin.hasSessionCalls();
    // Detaching every client of the session ends the control connection; the server lives on.
    execFileSync('tmux', ['-L', t.config.tmuxSocket, 'detach-client', '-s', `=${t.config.tmuxSession}`]);
    // The probe failed and was tried again: by then a failure taken for death would have shown.
    await waitFor(async () => tmuxBin.hasSessionCalls() >= probesBefore + 2 || (await statusOf(id)) === 'exited', { what: 'the probe to be retried' });
    expect(await statusOf(id)).toBe('idle');
    tmuxBin.off('hasSession');
    await waitFor(async () => (await t.api('GET', '/v1/health')).body.tmux.healthy === true, { what: 'the daemon to reconnect' });
    expect(await statusOf(id)).toBe('idle');
    expect((await t.api('GET', '/v1/sessions')).body.sessions.filter((s: { status: string }) => s.status === 'exited')).toEqual([]);
  });
});
