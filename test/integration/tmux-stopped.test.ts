/**
 * A tmux server that stops answering (here stopped with SIGSTOP) while its control connection stays
 * open: health says tmux is unhealthy at once, and diagnostics answer without waiting out the tmux
 * command timeout. Once the server runs again, health is ok again.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor, within } from '../support/wait-for.js';

/** Far longer than the health probe's deadline: a route that waits on a tmux command does not answer within the test's limit. */
const COMMAND_TIMEOUT_MS = 60_000;

describe('a stopped tmux server', () => {
  let t: TestDaemon;
  let serverPid = 0;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() }, timing: { tmuxCommandTimeoutMs: COMMAND_TIMEOUT_MS } });
    serverPid = Number(execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '#{pid}']).toString().trim());
  });
  afterAll(async () => {
    if (serverPid) process.kill(serverPid, 'SIGCONT');
    await t?.close();
  });

  it('makes health degraded and diagnostics say tmux does not respond, without waiting for the command timeout', async () => {
    expect((await t.api('GET', '/v1/health')).body).toMatchObject({ status: 'ok', tmux: { healthy: true } });
    process.kill(serverPid, 'SIGSTOP');
    try {
      const health = await within(t.api('GET', '/v1/health'), COMMAND_TIMEOUT_MS / 4, 'the health answer');
      expect(health.body).toMatchObject({ status: 'degraded', tmux: { healthy: false } });
      const diagnostics = await within(t.api('GET', '/v1/diagnostics'), COMMAND_TIMEOUT_MS / 4, 'the diagnostics answer');
      expect(diagnostics.status).toBe(200);
      expect(diagnostics.body.tmux).toMatchObject({ connected: true, responding: false, windows: null });
    } finally {
      process.kill(serverPid, 'SIGCONT');
    }
    await waitFor(async () => (await t.api('GET', '/v1/health')).body.tmux.healthy === true, { what: 'health to be ok again' });
    expect((await t.api('GET', '/v1/diagnostics')).body.tmux).toMatchObject({ responding: true, windows: expect.any(Number) });
  }, COMMAND_TIMEOUT_MS / 2);

  it("answers a read of a session's screen with 503 TMUX_UNAVAILABLE, without waiting for the command timeout", async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
    expect((await t.api('GET', `/v1/sessions/${id}/pane`)).status).toBe(200);
    process.kill(serverPid, 'SIGSTOP');
    try {
      const pane = await within(t.api('GET', `/v1/sessions/${id}/pane`), COMMAND_TIMEOUT_MS / 4, 'the pane answer');
      expect(pane.status).toBe(503);
      expect(pane.body.error.code).toBe('TMUX_UNAVAILABLE');
    } finally {
      process.kill(serverPid, 'SIGCONT');
    }
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}/pane`)).status === 200, { what: 'the pane to be readable again' });
  }, COMMAND_TIMEOUT_MS / 2);
});
