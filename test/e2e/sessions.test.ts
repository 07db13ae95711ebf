/**
 * End to end with the real Claude Code in real tmux against the fake model API: the life of a
 * session through the /v1 contract.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

describe('sessions with the real Claude Code', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  const status = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body.status as string;
  const messages = async (id: string) => (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ role: string; kind: string; text: string }>;
  const userTexts = async (id: string) => (await messages(id)).filter((m) => m.role === 'user' && m.kind === 'text').map((m) => m.text);
  const transcriptFile = (workDir: string, id: string) =>
    join(t.config.stateDir, '..', 'claude-config', 'projects', realpathSync(workDir).replace(/[^A-Za-z0-9]/g, '-'), `${id}.jsonl`);
  const panePid = (paneId: string) => Number(execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', paneId, '#{pane_pid}']).toString().trim());

  it('runs a prompt from creation to idle, with status changes and messages on SSE in order', async () => {
    const events = await openSse(`${t.url}/v1/events`);
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: 'hello from the test', name: 'first' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'first', reused: false, promptDelivery: { delivered: true, attempts: 1 }, permissionMode: 'default' });
    const id = created.body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const reply = await events.waitFor((e) => e.event === 'message' && e.data.sessionId === id && e.data.message.role === 'assistant');
    expect(reply.data.message.text).toBe('ACK 19 chars: hello from the test');
    expect(reply.data).toMatchObject({ role: 'assistant', kind: 'text', text: 'ACK 19 chars: hello from the test', messageId: reply.data.message.id });
    await events.waitFor((e) => e.event === 'status_changed' && e.data.sessionId === id && e.data.to === 'idle' && e.data.from === 'working');
    events.close();

    const mine = events.events.filter((e) => e.data.sessionId === id);
    const ids = mine.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const story = mine.map((e) => (e.event === 'status_changed' ? `${e.data.from}>${e.data.to}` : e.event === 'message' ? `message:${e.data.message.role}` : e.event));
    expect(story).toEqual(['session_created', 'starting>idle', 'idle>working', 'message:user', 'message:assistant', 'working>idle']);

    const read = await t.api('GET', `/v1/sessions/${id}/read`);
    expect(read.body.status).toBe('idle');
    expect(read.body.messages.map((m: { role: string; text: string }) => [m.role, m.text])).toEqual([
      ['user', 'hello from the test'],
      ['assistant', 'ACK 19 chars: hello from the test'],
    ]);
    const session = (await t.api('GET', `/v1/sessions/${id}`)).body;
    expect(session.usage.outputTokens).toBeGreaterThan(0);
    expect(session.lastActivityAt >= session.createdAt).toBe(true);

    const page = await t.api('GET', `/v1/sessions/${id}/read?after=1&limit=5`);
    expect(page.body.messages).toHaveLength(1);
    expect(page.body.nextCursor).toBe('2');
  });

  it('delivers tricky text byte-exact: quotes, $(), backticks, unicode, several lines, 100 KB', async () => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir });
    const id = created.body.id as string;
    const samples = [
      `it's "quoted" $(whoami) \`id\` $HOME \\ ; # {x} ~ & | > ✓ 你好 🚀 !bang /slash`,
      '#not memory, <b>&amp;</b> %s %d {{x}} \\n \\u0041 -- --help',
      'first line\nsecond "line" with $(x)\n\n  indented third',
      `${'0123456789abcdef'.repeat(6400)}\nend of 100 KB`,
    ];
    for (const text of samples) {
      const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ delivered: true });
      await waitFor(async () => (await status(id)) === 'idle', { timeoutMs: 20_000, what: 'the turn to end' });
    }
    expect(await userTexts(id)).toEqual(samples);
    // The transcript itself holds the short texts byte-exact; the 100 KB one went in as a paste.
    const raw = readFileSync(transcriptFile(workDir, id), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const prompts = raw.filter((r) => r.type === 'user' && typeof r.message?.content === 'string').map((r) => r.message.content);
    expect(prompts.slice(0, 3)).toEqual(samples.slice(0, 3));
    expect(prompts[3]).toContain(samples[3]);
    const replies = (await messages(id)).filter((m) => m.role === 'assistant').map((m) => m.text);
    expect(replies[0]).toBe(`ACK ${samples[0]!.length} chars: ${samples[0]!.slice(0, 80)}`);
  });

  it('delivers text that starts with "-" byte-exact, leaving nothing behind in the prompt', async () => {
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    const samples = ['-v is a flag', '- one\n- two', '--help -- -x'];
    for (const text of samples) {
      const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ delivered: true });
      await waitFor(async () => (await status(id)) === 'idle', { timeoutMs: 20_000, what: 'the turn to end' });
    }
    expect(await userTexts(id)).toEqual(samples);
    expect((await t.api('GET', `/v1/sessions/${id}/pane`)).body.text).toMatch(/^❯\s*$/m);
  });

  it('interrupts a slow streamed turn', async () => {
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: '[[slow: 60]]' })).body.id as string;
    await waitFor(async () => (await status(id)) === 'working', { what: 'the slow turn to start' });
    const res = await t.api('POST', `/v1/sessions/${id}/interrupt`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ interrupted: true, session: { status: 'idle' } });
    // Claude records the interruption in its transcript a moment after its screen settles.
    await waitFor(async () => (await userTexts(id)).includes('[Request interrupted by user]'), { what: 'the interruption in the transcript' });
    const again = await t.api('POST', `/v1/sessions/${id}/interrupt`);
    expect(again.body.interrupted).toBe(false);
  });

  it('reuses an idle session of the same caller in the same workDir', async () => {
    const workDir = t.workDir();
    const first = await t.api('POST', '/v1/sessions', { workDir });
    expect(first.status).toBe(201);
    await waitFor(async () => (await status(first.body.id)) === 'idle', { what: 'the session to be idle' });
    const second = await t.api('POST', '/v1/sessions', { workDir, prompt: 'reuse me' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, reused: true, promptDelivery: { delivered: true } });
    expect(await userTexts(first.body.id)).toEqual(['reuse me']);
  });

  it('delete ends the Claude process and its window and returns the final session', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const id = created.body.id as string;
    await waitFor(async () => (await status(id)) === 'idle', { what: 'the session to be idle' });
    const pid = panePid(created.body.tmux.paneId);
    process.kill(pid, 0);
    const deleted = await t.api('DELETE', `/v1/sessions/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id, status: 'exited', exit: { reason: 'deleted' } });
    expect(() => process.kill(pid, 0)).toThrow();
    const windows = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'list-windows', '-a', '-F', '#{window_id}']).toString();
    expect(windows.split('\n')).not.toContain(created.body.tmux.windowId);
    expect((await t.api('GET', `/v1/sessions/${id}`)).status).toBe(404);
  });

  it('marks a session exited when Claude dies, and refuses to send to it with 409', async () => {
    const events = await openSse(`${t.url}/v1/events`);
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const id = created.body.id as string;
    await waitFor(async () => (await status(id)) === 'idle', { what: 'the session to be idle' });
    process.kill(panePid(created.body.tmux.paneId), 'SIGKILL');
    const exited = await events.waitFor((e) => e.event === 'session_exited' && e.data.sessionId === id, 5000);
    events.close();
    expect(exited.data.reason).toBe('claude_exited');
    const session = (await t.api('GET', `/v1/sessions/${id}`)).body;
    expect(session).toMatchObject({ status: 'exited', exit: { reason: 'claude_exited' } });
    expect(session.exit.lastScreen).toContain('Claude Code');
    const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text: 'anyone there?' });
    expect(sent.status).toBe(409);
    expect(sent.body.error.code).toBe('SESSION_EXITED');
  });

  it('shows the screen on /pane', async () => {
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    await waitFor(async () => (await status(id)) === 'idle', { what: 'the session to be idle' });
    const pane = await t.api('GET', `/v1/sessions/${id}/pane`);
    expect(pane.body).toMatchObject({ cols: 160, rows: 50 });
    expect(pane.body.text).toMatch(/❯/);
  });
});

describe('start-up dialogs', () => {
  it("answers Claude's workspace-trust and API-key questions so the session starts unattended", async () => {
    const t = await startTestDaemon({ claude: true, unapprovedKey: true });
    try {
      const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: 'are you there?' });
      expect(created.body.promptDelivery).toMatchObject({ delivered: true });
      await waitFor(async () => (await t.api('GET', `/v1/sessions/${created.body.id}`)).body.status === 'idle', { timeoutMs: 20_000, what: 'the reply' });
      const messages = (await t.api('GET', `/v1/sessions/${created.body.id}/read`)).body.messages;
      expect(messages.at(-1)).toMatchObject({ role: 'assistant', text: 'ACK 14 chars: are you there?' });
    } finally {
      await t.close();
    }
  });
});

describe('session limits and replay', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true, config: { maxSessions: 1 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 MAX_SESSIONS once the limit is reached', async () => {
    const first = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    expect(first.status).toBe(201);
    const second = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    expect(second.status).toBe(503);
    expect(second.body.error).toMatchObject({ code: 'MAX_SESSIONS', message: expect.stringContaining('AEGIS_MAX_SESSIONS') });
    await t.api('DELETE', `/v1/sessions/${first.body.id}`);
  });

  it('replays missed events to a client that reconnects with Last-Event-ID', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const id = created.body.id as string;
    const first = await openSse(`${t.url}/v1/sessions/${id}/events`);
    await first.waitFor((e) => e.event === 'status_changed' && e.data.to === 'idle');
    first.close();
    const lastSeen = first.events[first.events.length - 1]!.id!;

    expect((await t.api('POST', `/v1/sessions/${id}/send`, { text: 'while you were away' })).body.delivered).toBe(true);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the turn to end' });

    const second = await openSse(`${t.url}/v1/sessions/${id}/events`, { 'last-event-id': lastSeen });
    const done = await second.waitFor((e) => e.event === 'status_changed' && e.data.to === 'idle');
    second.close();
    const replayed = second.events.slice(0, second.events.indexOf(done) + 1);
    expect(Number(replayed[0]!.id)).toBeGreaterThan(Number(lastSeen));
    expect(replayed.map((e) => e.event)).toEqual(expect.arrayContaining(['status_changed', 'message']));
    expect(replayed.some((e) => e.event === 'message' && e.data.message.text === 'while you were away')).toBe(true);
    expect(replayed.every((e) => e.data.sessionId === id)).toBe(true);
  });
});
