/**
 * The live terminal against real tmux: a viewer joining gets the pane's current screen first, then what
 * it prints; keystrokes that look like tmux syntax reach the program verbatim; the stream ends when
 * the session does. A pane printing as fast as it can, with one viewer that never reads and one that
 * does: the reader and the daemon keep going, and the one that never read gets a fresh screen once it
 * reads again (its backlog was dropped, not kept without bound).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClaudeCommand, fakeClaudeLog, keysReceived } from '../support/fake-claude.js';
import { openSse } from '../support/sse.js';
import { standInScript } from '../support/stand-in.js';
import { waitFor, within } from '../support/wait-for.js';

/** What a terminal shows of escape-laden text: the escapes taken out. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('the live terminal of a session', () => {
  let t: TestDaemon;

  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: fakeClaudeCommand() }, timing: { transcriptSettleMs: 200 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function idleSession() {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${created.body.id}`)).body.status === 'idle', { what: 'the fake Claude to look idle' });
    return { id: created.body.id as string, workDir };
  }

  it('sends the current screen first, with its size and cursor, then what the pane prints', async () => {
    const { id } = await idleSession();
    const pane = (await t.api('GET', `/v1/sessions/${id}/pane`)).body;
    const stream = await openSse(`${t.url}/v1/sessions/${id}/terminal`);
    try {
      expect(stream.status).toBe(200);
      const first = await stream.waitFor(() => true);
      expect(first.event).toBe('terminal_snapshot');
      expect(first.data).toMatchObject({ type: 'terminal_snapshot', sessionId: id, cols: pane.cols, rows: pane.rows, cursor: { x: expect.any(Number), y: expect.any(Number) } });
      const promptLine = (pane.text as string).split('\n').find((line) => line.startsWith('❯'))!;
      expect(plain(first.data.data)).toContain(promptLine.trimEnd());
      // Typed keys are drawn by the program: they come as output, after the snapshot.
      const typed = await t.api('POST', `/v1/sessions/${id}/input`, { data: 'hello there' });
      expect(typed.status).toBe(200);
      expect(typed.body).toEqual({ typed: 11 });
      await waitFor(() => plain(stream.events.filter((e) => e.event === 'terminal_output').map((e) => e.data.data).join('')).includes('hello there'), { what: 'the typed text drawn' });
      expect(stream.events[0]!.event).toBe('terminal_snapshot');
    } finally {
      stream.close();
    }
  });

  it('types keystrokes verbatim: tmux syntax, flags, control characters and a trailing backslash', async () => {
    const { id, workDir } = await idleSession();
    const hostile = '-t %0 ; kill-server #{pane_id} #(touch /tmp/x) $HOME "q" \x01\x1b[A \\';
    const res = await t.api('POST', `/v1/sessions/${id}/input`, { data: hostile });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await waitFor(() => keysReceived(fakeClaudeLog(workDir, id)).includes(hostile), { what: 'the fake Claude to read the keys as sent' });
    expect((await t.api('GET', '/v1/health')).body.tmux.healthy).toBe(true);
    const audit = (await t.api('GET', `/v1/audit?action=session.input`)).body.entries;
    expect(audit.at(-1)).toMatchObject({ action: 'session.input', resource: id, details: { data: { length: hostile.length } } });
  });

  it('ends the stream when the session ends, and refuses a viewer after', async () => {
    const { id } = await idleSession();
    const stream = await openSse(`${t.url}/v1/sessions/${id}/terminal`);
    try {
      await stream.waitFor((e) => e.event === 'terminal_snapshot');
      // Claude's process dies: the pane with it.
      const panePid = Number(execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', (await t.api('GET', `/v1/sessions/${id}`)).body.tmux.paneId, '#{pane_pid}']).toString().trim());
      process.kill(panePid, 'SIGKILL');
      const closed = await stream.waitFor((e) => e.event === 'terminal_closed');
      expect(closed.data).toMatchObject({ type: 'terminal_closed', sessionId: id, reason: 'session_exited' });
      await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'exited', { what: 'the session to exit' });
      const after = await t.api('GET', `/v1/sessions/${id}/terminal`);
      expect(after.status).toBe(409);
      expect(after.body.error.code).toBe('SESSION_EXITED');
      expect((await t.api('POST', `/v1/sessions/${id}/input`, { data: 'x' })).body.error.code).toBe('SESSION_EXITED');
    } finally {
      stream.close();
    }
  });
});

describe('a pane printing as fast as it can, watched by a viewer that never reads', () => {
  let t: TestDaemon;
  let stuck: Socket | null = null;

  beforeAll(async () => {
    // Waits for a go file in its work dir, then prints without pause.
    const flood = standInScript(
      `while [ ! -e go ]; do sleep 0.05; done\ni=0\nwhile :; do i=$((i+1)); printf 'flood %d abcdefghijklmnopqrstuvwxyz0123456789\\n' "$i"; done`,
    );
    t = await startTestDaemon({ config: { claudeCommand: flood, startTimeoutMs: 600_000 } });
  });
  afterAll(async () => {
    stuck?.destroy();
    await t?.close();
  });

  it('keeps the daemon and another viewer going, and sends the stuck one a fresh screen when it reads again', async () => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const { port } = new URL(t.url);

    // A client that asks for the stream and never reads a byte of it.
    const received: Buffer[] = [];
    stuck = connect(Number(port), '127.0.0.1');
    stuck.on('data', (chunk: Buffer) => received.push(chunk));
    stuck.pause();
    stuck.write(`GET /v1/sessions/${id}/terminal HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);

    const reader = await openSse(`${t.url}/v1/sessions/${id}/terminal`);
    try {
      await reader.waitFor((e) => e.event === 'terminal_snapshot');
      writeFileSync(join(workDir, 'go'), '');
      const lastLine = () => {
        const output = reader.events.filter((e) => e.event === 'terminal_output');
        const matches = [...(output.at(-1)?.data.data ?? '').matchAll(/flood (\d+) /g)];
        return Number(matches.at(-1)?.[1] ?? 0);
      };
      // 400 000 lines are about 20 MB: far more than the stuck client's socket buffers and its queue hold.
      await waitFor(() => lastLine() > 400_000, { timeoutMs: 120_000, what: 'the reading viewer to follow the flood' });
      const started = Date.now();
      const health = await t.api('GET', '/v1/health');
      expect(health.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(existsSync(join(workDir, 'go'))).toBe(true);

      // The stuck one reads again: its backlog was dropped, so a fresh screen comes before the flood goes on.
      stuck.resume();
      await waitFor(() => (Buffer.concat(received).toString('utf8').match(/event: terminal_snapshot/g) ?? []).length >= 2, {
        timeoutMs: 60_000,
        what: 'a fresh screen for the viewer that stopped reading',
      });
    } finally {
      reader.close();
      stuck.destroy();
      await t.api('DELETE', `/v1/sessions/${id}`);
    }
  }, 240_000);
});

describe('the terminal of a daemon with a master token, watched with a dashboard login', () => {
  const MASTER = 'terminal-test-master-token-0123456789';
  let t: TestDaemon;

  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: fakeClaudeCommand(), authToken: MASTER } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Opens a stream with the given headers; `ended` settles when the daemon ends it. */
  async function stream(path: string, headers: Record<string, string>) {
    const controller = new AbortController();
    const res = await fetch(`${t.url}${path}`, { headers, signal: controller.signal });
    let text = '';
    const ended = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    })().catch(() => {});
    return { status: res.status, text: () => text, ended, abort: () => controller.abort() };
  }

  async function login(token: string) {
    const res = await fetch(`${t.url}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ token }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('aegis_session='))!.split(';')[0]!;
    return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }

  it('streams to the cookie alone, and ends the stream at logout and at the key\'s revocation', async () => {
    const auth = { authorization: `Bearer ${MASTER}` };
    const key = (await t.api('POST', '/v1/auth/keys', { name: 'watcher', role: 'admin' }, auth)).body;
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, auth);
    const id = created.body.id as string;

    const first = await login(key.key);
    const byCookie = await stream(`/v1/sessions/${id}/terminal`, { cookie: first.cookie });
    expect(byCookie.status).toBe(200);
    await waitFor(() => byCookie.text().includes('event: terminal_snapshot'), { what: 'the snapshot by cookie' });
    const refused = await fetch(`${t.url}/v1/auth/logout`, { method: 'POST', headers: { cookie: first.cookie } });
    expect(refused.status).toBe(403);
    const out = await fetch(`${t.url}/v1/auth/logout`, { method: 'POST', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf } });
    expect(out.status).toBe(204);
    await within(byCookie.ended, 10_000, 'the stream to end at logout');

    const second = await login(key.key);
    const again = await stream(`/v1/sessions/${id}/terminal`, { cookie: second.cookie });
    await waitFor(() => again.text().includes('event: terminal_snapshot'), { what: 'the snapshot by the new cookie' });
    expect((await t.api('DELETE', `/v1/auth/keys/${key.id}`, undefined, auth)).status).toBe(200);
    await within(again.ended, 10_000, 'the stream to end at the revocation');
    const after = await fetch(`${t.url}/v1/sessions/${id}/terminal`, { headers: { cookie: second.cookie } });
    expect(after.status).toBe(401);
    await after.body?.cancel();
  });
});
