/**
 * What a session can put at its transcript's path, and how much it can write there, must never hold
 * up, crash or mislead the daemon: a FIFO, a link, a directory or a device is refused without blocking;
 * 200 000 records are read in bounded chunks; a new transcript after /clear continues the conversation
 * and the usage. The sessions run a stand-in for Claude; the test writes the transcripts as Claude would.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { transcriptPath } from '../../src/claude/transcript.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { STAND_IN_SECRET_ENV, standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

/** How long a daemon that is not held up takes at most to answer (a held-up one never answers). */
const ANSWER_DEADLINE_MS = 10_000;

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface Created {
  id: string;
  workDir: string;
  transcript: string;
  secret: string;
}

async function idleSession(daemon: TestDaemon): Promise<Created> {
  const created = await daemon.api('POST', '/v1/sessions', { workDir: daemon.workDir() });
  expect(created.status).toBe(201);
  const { id, workDir } = created.body as { id: string; workDir: string };
  await waitFor(async () => (await daemon.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
  const pid = execFileSync('tmux', ['-L', daemon.config.tmuxSocket, 'display-message', '-p', '-t', created.body.tmux.paneId, '#{pane_pid}']).toString().trim();
  const environ = execFileSync('cat', [`/proc/${pid}/environ`]).toString().split('\0');
  const secret = environ.find((v) => v.startsWith(`${STAND_IN_SECRET_ENV}=`))!.slice(STAND_IN_SECRET_ENV.length + 1);
  const transcript = transcriptPath({ CLAUDE_CONFIG_DIR: join(dirname(daemon.config.stateDir), 'claude-config') }, workDir, id);
  mkdirSync(dirname(transcript), { recursive: true });
  return { id, workDir, transcript, secret };
}

/** A request that must be answered; a daemon whose event loop is held fails it at the deadline. */
async function answered(daemon: TestDaemon, method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; base?: string } = {}) {
  const res = await fetch(`${init.base ?? daemon.url}${path}`, {
    method,
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(ANSWER_DEADLINE_MS),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A hook call as Claude makes one, naming the transcript it writes: the daemon reads it then. */
const notify = (daemon: TestDaemon, s: Created, path = s.transcript) =>
  answered(daemon, 'POST', `/v1/hooks/Notification?session=${s.id}`, {
    base: daemon.hookUrl,
    headers: { 'x-aegis-hook-secret': s.secret },
    body: { hook_event_name: 'Notification', session_id: s.id, transcript_path: path, message: 'n' },
  });

const user = (text: string) => JSON.stringify({ type: 'user', uuid: randomUUID(), timestamp: new Date().toISOString(), message: { role: 'user', content: text } });
const assistant = (text: string, messageId: string, inputTokens: number) =>
  JSON.stringify({
    type: 'assistant', uuid: randomUUID(), timestamp: new Date().toISOString(),
    message: { id: messageId, model: 'claude-opus-5-5', role: 'assistant', content: [{ type: 'text', text }], usage: { input_tokens: inputTokens, output_tokens: 10 } },
  });
const lines = (...records: string[]) => records.map((r) => `${r}\n`).join('');

async function readAll(daemon: TestDaemon, id: string, after = 0) {
  const res = await answered(daemon, 'GET', `/v1/sessions/${id}/read?after=${after}&limit=1000`);
  expect(res.status).toBe(200);
  return res.body as { messages: Array<{ text: string }>; nextCursor: string };
}
const texts = (page: { messages: Array<{ text: string }> }) => page.messages.map((m) => m.text);

describe('a hostile transcript', () => {
  it('a FIFO put at the path does not hold the daemon: health answers, SIGTERM stops it, a restart re-adopts', async () => {
    t = await startTestDaemon({ childProcess: true, config: { claudeCommand: standInClaude() } });
    const s = await idleSession(t);
    writeFileSync(s.transcript, lines(user('before the FIFO')));
    await notify(t, s);
    // What an approved command can run: rm -f "$T"; mkfifo "$T".
    rmSync(s.transcript);
    execFileSync('mkfifo', [s.transcript]);
    expect((await notify(t, s)).status).toBe(200);
    expect((await answered(t, 'GET', '/v1/health')).status).toBe(200);
    expect(texts(await readAll(t, s.id))).toEqual(['before the FIFO']);
    const health = await answered(t, 'GET', `/v1/sessions/${s.id}/health`);
    expect(health.body.transcript).toEqual({ readable: false, problem: expect.stringContaining('FIFO') });

    await withDeadline(t.stop(), 'the daemon to stop on SIGTERM');
    await withDeadline(t.restart(), 'a restarted daemon to answer');
    expect((await answered(t, 'GET', `/v1/sessions/${s.id}`)).body.status).toBe('idle');
    expect((await answered(t, 'GET', `/v1/sessions/${s.id}/health`)).body.transcript.readable).toBe(false);
    expect((await answered(t, 'GET', '/v1/health')).status).toBe(200);
  });

  const intruders: Array<[string, (path: string, elsewhere: string) => void, string]> = [
    ['a symbolic link to a transcript elsewhere', (path, elsewhere) => symlinkSync(elsewhere, path), 'symbolic link'],
    ['a directory', (path) => mkdirSync(path), 'directory'],
  ];
  // /dev/zero's numbers: a device that never ends. Only root may make one.
  if (process.getuid?.() === 0) intruders.push(['a device', (path) => void execFileSync('mknod', [path, 'c', '1', '5']), 'device']);

  it.each(intruders)('refuses %s at the path, reading nothing through it', async (_what, put, kind) => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() }, captureLogs: true });
    const s = await idleSession(t);
    const elsewhere = join(t.workDir(), 'elsewhere.jsonl');
    writeFileSync(elsewhere, lines(user('another conversation')));
    put(s.transcript, elsewhere);
    expect((await notify(t, s)).status).toBe(200);
    expect((await readAll(t, s.id)).messages).toEqual([]);
    expect((await answered(t, 'GET', `/v1/sessions/${s.id}/health`)).body.transcript).toEqual({ readable: false, problem: expect.stringContaining(kind) });
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/refused to read a transcript/), path: s.transcript }));
  });

  it('records of megabytes become messages of bounded size: cut text, short ids, pages that fit', async () => {
    t = await startTestDaemon({ childProcess: true, config: { claudeCommand: standInClaude() } });
    const s = await idleSession(t);
    // What an approved command can append: a reply of two megabytes, and one line whose 2 MB uuid every
    // one of its 3000 blocks would carry in its message id.
    const big = 'x'.repeat(2_000_000);
    const amplifier = JSON.stringify({
      type: 'user', uuid: 'u'.repeat(2_000_000), timestamp: 't'.repeat(100_000),
      message: { role: 'user', content: Array.from({ length: 3000 }, () => ({ type: 'tool_result', tool_use_id: 'i'.repeat(1000), content: '' })) },
    });
    writeFileSync(s.transcript, lines(assistant(big, 'msg_big', 5), amplifier));
    expect((await notify(t, s)).status).toBe(200);
    const res = await fetch(`${t.url}/v1/sessions/${s.id}/read?limit=1000`, { signal: AbortSignal.timeout(ANSWER_DEADLINE_MS) });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeLessThan(1_500_000);
    const page = JSON.parse(text) as { messages: Array<{ id: string; text: string; truncated?: boolean; timestamp: string; toolUseId?: string }>; nextCursor: string };
    expect(page.messages).toHaveLength(1000);
    expect(page.nextCursor).toBe('1000');
    expect(page.messages[0]).toMatchObject({ text: big.slice(0, 1024 * 1024), truncated: true });
    for (const message of page.messages) {
      expect(message.id.length).toBeLessThan(300);
      expect(message.timestamp.length).toBeLessThanOrEqual(40);
      expect(message.toolUseId).toBeUndefined();
    }
    expect((await answered(t, 'GET', '/v1/health')).status).toBe(200);
  });

  it('200 000 records appended at once crash nothing and are read in chunks, also by a restarted daemon', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() } });
    const s = await idleSession(t);
    writeFileSync(s.transcript, lines(user('first')));
    await notify(t, s);
    // What an approved command can run: yes '<record>' | head -n 200000 >> "$T".
    const record = `${user('y')}\n`;
    appendFileSync(s.transcript, record.repeat(200_000));
    expect((await notify(t, s)).status).toBe(200);
    expect((await answered(t, 'GET', '/v1/health')).status).toBe(200);
    const last = await readAll(t, s.id, 199_999);
    expect(last).toEqual({ messages: [expect.objectContaining({ text: 'y' }), expect.objectContaining({ text: 'y' })], nextCursor: '200001', status: 'idle' });

    await t.stop();
    await t.restart();
    expect((await answered(t, 'GET', `/v1/sessions/${s.id}`)).body.status).toBe('idle');
    expect(await readAll(t, s.id, 199_999)).toMatchObject({ nextCursor: '200001' });
    expect(texts(await readAll(t, s.id, 0)).slice(0, 2)).toEqual(['first', 'y']);
  });

  it('/clear (a new transcript, same session) keeps the conversation and the usage of both, also after a restart', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() } });
    const s = await idleSession(t);
    writeFileSync(s.transcript, lines(user('one'), assistant('two', 'msg_a', 1000)));
    await notify(t, s);
    await waitFor(async () => (await t!.api('GET', `/v1/sessions/${s.id}`)).body.usage.inputTokens === 1000, { what: 'the first usage' });

    const cleared = join(dirname(s.transcript), `${randomUUID()}.jsonl`);
    writeFileSync(cleared, lines(user('three'), assistant('four', 'msg_b', 500)));
    await notify(t, s, cleared);
    expect(await readAll(t, s.id)).toMatchObject({ nextCursor: '4' });
    expect(texts(await readAll(t, s.id))).toEqual(['one', 'two', 'three', 'four']);
    expect(texts(await readAll(t, s.id, 2))).toEqual(['three', 'four']);
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.usage).toMatchObject({ inputTokens: 1500, outputTokens: 20 });

    await t.stop();
    await t.restart();
    expect(await readAll(t, s.id)).toMatchObject({ nextCursor: '4' });
    expect(texts(await readAll(t, s.id))).toEqual(['one', 'two', 'three', 'four']);
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.usage).toMatchObject({ inputTokens: 1500, outputTokens: 20 });

    // Claude's own cost record changes nothing: the cost is the price table's (4 and 20 USD per million).
    appendFileSync(cleared, lines(JSON.stringify({ type: 'cost-state', totalCostUSD: 0.4242 }), user('five')));
    await notify(t, s, cleared);
    expect(await readAll(t, s.id, 4)).toMatchObject({ messages: [expect.objectContaining({ text: 'five' })], nextCursor: '5' });
    const costUsd = (1500 * 4 + 20 * 20) / 1e6;
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.usage).toEqual({
      inputTokens: 1500, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd,
      byModel: [{ model: 'claude-opus-5-5', inputTokens: 1500, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd }],
    });
  });
});

async function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ANSWER_DEADLINE_MS);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
