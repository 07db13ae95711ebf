/**
 * Operations without Claude: the store failing, diagnostics, orphan windows, per-session health and
 * shutdown. Sessions run a stand-in program, since Claude itself is not the point here.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse } from '../support/sse.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

/** A stand-in for Claude that shows its idle screen and really waits (it does not die at once). */
const STAND_IN = standInClaude();

describe('operating the daemon', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: STAND_IN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 STORE_UNAVAILABLE when the store cannot be written, keeps serving reads, and leaves no window behind', async () => {
    t.daemon.db.pragma('query_only = ON');
    try {
      const windowsBefore = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'list-windows', '-F', '#{window_id}']).toString();
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('STORE_UNAVAILABLE');
      expect((await t.api('GET', '/v1/sessions')).status).toBe(200);
      expect((await t.api('GET', '/v1/health')).status).toBe(200);
      expect(execFileSync('tmux', ['-L', t.config.tmuxSocket, 'list-windows', '-F', '#{window_id}']).toString()).toBe(windowsBefore);
    } finally {
      t.daemon.db.pragma('query_only = OFF');
    }
    expect((await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).status).toBe(201);
  });

  it('reports tmux, the process, the event loop, connections, the store and the redacted config', async () => {
    const sse = await openSse(`${t.url}/v1/events`);
    const res = await t.api('GET', '/v1/diagnostics');
    sse.close();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tmux: { connected: true, version: expect.stringMatching(/^\d/), socket: t.config.tmuxSocket, windows: expect.any(Number), panes: expect.any(Number), orphans: { found: [], closed: expect.any(Number), foreign: [] } },
      process: { pid: process.pid, rssBytes: expect.any(Number), cpuUserMs: expect.any(Number) },
      eventLoop: { lagMs: expect.any(Number), utilization: expect.any(Number) },
      connections: { sse: 1, http: expect.any(Number) },
      store: { bytes: expect.any(Number) },
      config: { tmuxSocket: t.config.tmuxSocket },
    });
    expect(res.body.store.bytes).toBeGreaterThan(0);
  });

  it('lists itself as the one node of its cluster, in a new epoch after a restart', async () => {
    const { identity } = (await t.api('GET', '/v1/diagnostics')).body.tmux as { identity: string };
    const before = await t.api('GET', '/v1/cluster/nodes');
    expect(before.status).toBe(200);
    const sessions = (await t.api('GET', '/v1/health')).body.sessions.active as number;
    expect(before.body).toEqual({
      nodes: [{ id: identity, url: t.url, leaseExpiresAt: null, epoch: expect.any(Number), sessions, capacity: t.config.maxSessions, labels: {} }],
    });
    await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    await t.stop();
    await t.restart();
    const [after] = (await t.api('GET', '/v1/cluster/nodes')).body.nodes;
    expect(after).toMatchObject({ id: identity, url: t.url, epoch: before.body.nodes[0].epoch + 1, sessions: sessions + 1 });
    // Alone, no session has an owner out of reach; the filter a cluster client uses still answers.
    expect((await t.api('GET', '/v1/sessions?status=owner_unreachable')).body).toEqual({ sessions: [] });
    expect((await t.api('GET', '/v1/sessions?status=unreachable')).status).toBe(400);
  });

  it('gives a session its own health with timers and hints, and 404 for an unknown one', async () => {
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir(), idleTimeoutMs: 0, stallThresholdMs: 5000 })).body.id as string;
    const res = await t.api('GET', `/v1/sessions/${id}/health`);
    expect(res.body).toMatchObject({ id, status: 'starting', alive: true, idle: { timeoutMs: 0, reapInSeconds: null }, stall: { thresholdMs: 5000 }, hints: expect.any(Array) });
    expect((await t.api('GET', '/v1/sessions/00000000-0000-4000-8000-000000000000/health')).status).toBe(404);
  });

  it('closes tmux windows it opened that no session owns, reports them, and leaves windows it did not open', async () => {
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', t.config.tmuxSocket, ...args]).toString().trim();
    const { identity } = (await t.api('GET', '/v1/diagnostics')).body.tmux as { identity: string };
    expect(identity).toMatch(/^[0-9a-f]{16}$/);
    // A window with this daemon's mark whose session is not known (its record lost, say).
    const stray = tmux('new-window', '-d', '-P', '-F', '#{window_id}', '-t', `=${t.config.tmuxSession}:`, '-n', 'stray', 'sleep', '600');
    tmux('set-option', '-w', '-t', stray, '@aegis-daemon', identity);
    // A window opened by hand carries no mark.
    tmux('new-window', '-d', '-t', `=${t.config.tmuxSession}:`, '-n', 'by-hand', 'sleep', '600');
    await t.stop();
    await t.restart();
    const report = (await t.api('GET', '/v1/diagnostics')).body.tmux.orphans;
    expect(report.found).toEqual([expect.objectContaining({ name: 'stray' })]);
    expect(report.foreign).toEqual([expect.objectContaining({ name: 'by-hand', daemon: '' })]);
    const names = tmux('list-windows', '-F', '#{window_name}');
    expect(names).not.toContain('stray');
    expect(names).toContain('by-hand');
  });
});

describe('stopping the daemon', () => {
  it('ends SSE streams with a retry hint and leaves the sessions running in tmux', async () => {
    const t = await startTestDaemon({ config: { claudeCommand: STAND_IN } });
    try {
      const created = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body;
      const res = await fetch(`${t.url}/v1/events`);
      const reader = res.body!.getReader();
      let text = '';
      const drained = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      })();
      await waitFor(() => text.includes(': connected'), { what: 'the stream to open' });
      await t.stop();
      await drained;
      expect(text).toMatch(/retry: \d+\n: server shutting down/);
      const windows = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'list-windows', '-F', '#{window_id}']).toString();
      expect(windows).toContain(created.tmux.windowId);
    } finally {
      await t.close();
    }
  });
});
