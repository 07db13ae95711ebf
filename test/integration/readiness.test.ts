/**
 * GET /v1/ready: 200 while the daemon can take new work, 503 naming each reason it cannot (tmux out
 * of reach, a store that takes no writes, no room under maxSessions), and no credentials needed.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInClaude } from '../support/stand-in.js';
import { killTmuxServer, tmuxServerAlive } from '../support/tmux.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'readiness-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

describe('GET /v1/ready', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), maxSessions: 1, authToken: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 200 {"ready":true} without credentials while new work can be taken', async () => {
    const res = await t.api('GET', '/v1/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ready: true });
  });

  it('answers 503 STORE_UNAVAILABLE while the store takes no writes, and 200 again once it does', async () => {
    t.daemon.db.pragma('query_only = ON');
    try {
      const res = await t.api('GET', '/v1/ready');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ ready: false, reasons: [{ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/readonly|read-only/i) }] });
    } finally {
      t.daemon.db.pragma('query_only = OFF');
    }
    expect((await t.api('GET', '/v1/ready')).status).toBe(200);
  });

  it('answers 503 MAX_SESSIONS at maxSessions, and 200 again once a session ends', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, AUTH);
    expect(created.status).toBe(201);
    const full = await t.api('GET', '/v1/ready');
    expect(full.status).toBe(503);
    expect(full.body).toEqual({ ready: false, reasons: [{ code: 'MAX_SESSIONS', message: expect.stringContaining('1 sessions') }] });
    expect((await t.api('DELETE', `/v1/sessions/${created.body.id}`, undefined, AUTH)).status).toBe(200);
    expect((await t.api('GET', '/v1/ready')).status).toBe(200);
  });

  it('answers 503 TMUX_UNAVAILABLE while the tmux server does not answer (stopped), and 200 once it runs again', async () => {
    const serverPid = Number(execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '#{pid}']).toString().trim());
    process.kill(serverPid, 'SIGSTOP');
    try {
      const res = await t.api('GET', '/v1/ready');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ ready: false, reasons: [{ code: 'TMUX_UNAVAILABLE', message: expect.stringContaining('does not answer') }] });
    } finally {
      process.kill(serverPid, 'SIGCONT');
    }
    await waitFor(async () => (await t.api('GET', '/v1/ready')).status === 200, { what: 'the daemon to be ready again' });
  });

  it('is ready again after the tmux server is gone: it starts one, as the next create would', async () => {
    killTmuxServer(t.config.tmuxSocket);
    await waitFor(async () => (await t.api('GET', '/v1/health')).body.status === 'degraded', { what: 'the daemon to see tmux gone' });
    const res = await t.api('GET', '/v1/ready');
    expect(res.status).toBe(200);
    expect(tmuxServerAlive(t.config.tmuxSocket)).toBe(true);
  });
});

describe('GET /v1/ready without tmux', () => {
  let t: TestDaemon | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('answers 503 TMUX_UNAVAILABLE when tmux cannot be run', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), tmuxBin: '/nonexistent/tmux' } });
    const res = await t.api('GET', '/v1/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ ready: false, reasons: [{ code: 'TMUX_UNAVAILABLE', message: expect.stringContaining('tmux cannot be reached') }] });
  });
});
