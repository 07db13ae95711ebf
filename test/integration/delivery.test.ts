/**
 * The delivery rules of docs/api.md (POST /v1/sessions/:id/send), shown against a scriptable fake
 * Claude that loses an Enter, loses keys, never submits or confirms late, and logs every key it
 * read: how many attempts a send takes, what is typed again and what never is, and that a message
 * arrives exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { callHook, hookSecretOf } from '../support/hooks.js';
import { fakeClaudeCommand, fakeClaudeLog, keysReceived, occurrences, pastedKeys, submitted } from '../support/fake-claude.js';
import { waitFor } from '../support/wait-for.js';

const ATTEMPT_MS = 1000;

describe('delivering text to Claude', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({
      config: { claudeCommand: fakeClaudeCommand(), allowedRequestEnv: ['FAKE_CLAUDE_SCRIPT'] },
      timing: { deliveryAttemptMs: ATTEMPT_MS },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A session whose fake Claude follows `script`, idle and ready for input. */
  const session = async (script = '') => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir, ...(script ? { env: { FAKE_CLAUDE_SCRIPT: script } } : {}) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the fake Claude to be idle' });
    return { id, workDir, log: () => fakeClaudeLog(workDir, id) };
  };
  const send = (id: string, text: string, headers: Record<string, string> = {}) => t.api('POST', `/v1/sessions/${id}/send`, { text }, headers);
  const userTexts = async (id: string) =>
    ((await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ role: string; kind: string; text: string }>)
      .filter((m) => m.role === 'user' && m.kind === 'text')
      .map((m) => m.text);
  const untilReplied = (id: string, count: number) =>
    waitFor(async () => {
      const s = (await t.api('GET', `/v1/sessions/${id}`)).body;
      const read = (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ role: string }>;
      return s.status === 'idle' && read.filter((m) => m.role === 'assistant').length >= count;
    }, { what: `${count} replies and an idle session` });

  it('delivers in one attempt when Claude takes the first Enter, pasting each line, Ctrl-J between them', async () => {
    const s = await session();
    const text = 'first line\nsecond line';
    const sent = await send(s.id, text);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    expect(keysReceived(s.log())).toBe(`${pastedKeys(text)}\r`);
    expect(submitted(s.log())).toEqual([text]);
    expect(await userTexts(s.id)).toEqual([text]);
  });

  it('presses Enter again, without retyping, when the text still sits in the prompt box', async () => {
    const s = await session('drop-first-enter');
    const sent = await send(s.id, 'press enter again');
    expect(sent.body).toEqual({ delivered: true, attempts: 2 });
    const keys = keysReceived(s.log());
    expect(occurrences(keys, 'press enter again')).toBe(1);
    expect(keys).toBe(`${pastedKeys('press enter again')}\r\r`);
    expect(submitted(s.log())).toEqual(['press enter again']);
    await untilReplied(s.id, 1);
    expect(await userTexts(s.id)).toEqual(['press enter again']);
  });

  it('pastes the text again only when nothing at all reached Claude, and it arrives once', async () => {
    const s = await session('drop-keys-once');
    const sent = await send(s.id, 'lost the first time');
    expect(sent.body).toEqual({ delivered: true, attempts: 2 });
    const log = s.log();
    expect(log.filter((e) => e.event === 'keys' && e.dropped).map((e) => e.data).join('')).toBe(`${pastedKeys('lost the first time')}\r`);
    expect(occurrences(keysReceived(log), 'lost the first time')).toBe(2);
    expect(submitted(log)).toEqual(['lost the first time']);
    await untilReplied(s.id, 1);
    expect(await userTexts(s.id)).toEqual(['lost the first time']);
  });

  it('never pastes the text again while Claude works on it unconfirmed, and it arrives once', async () => {
    // Claude takes the text at the first Enter and shows its turn at once, but confirms only 1.5 attempts later.
    const s = await session(`confirm-delay=${ATTEMPT_MS * 1.5}`);
    const sent = await send(s.id, 'slow to confirm');
    expect(sent.body).toEqual({ delivered: true, attempts: 2 });
    expect(keysReceived(s.log())).toBe(`${pastedKeys('slow to confirm')}\r`);
    await untilReplied(s.id, 1);
    expect(submitted(s.log())).toEqual(['slow to confirm']);
    expect(await userTexts(s.id)).toEqual(['slow to confirm']);
  });

  it('gives up after three unconfirmed attempts with delivered:false and mayArriveLater, the text pasted once', async () => {
    const s = await session('never-submit');
    const started = Date.now();
    const sent = await send(s.id, 'stuck in the box');
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ delivered: false, attempts: 3, mayArriveLater: true, error: expect.any(String) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * ATTEMPT_MS);
    expect(keysReceived(s.log())).toBe(`${pastedKeys('stuck in the box')}\r\r\r`);
    expect(submitted(s.log())).toEqual([]);
  });

  it('goes on pressing Enter, never pasting again, when an unconfirmed send is retried with its Idempotency-Key', async () => {
    const s = await session('drop-enters=3');
    const headers = { 'idempotency-key': 'box-1' };
    const first = await send(s.id, 'retried safely', headers);
    expect(first.body).toMatchObject({ delivered: false, attempts: 3, mayArriveLater: true });
    const again = await send(s.id, 'retried safely', headers);
    expect(again.body).toMatchObject({ delivered: true });
    expect(keysReceived(s.log())).toBe(`${pastedKeys('retried safely')}\r\r\r\r`);
    expect(submitted(s.log())).toEqual(['retried safely']);
    await untilReplied(s.id, 1);
    expect(await userTexts(s.id)).toEqual(['retried safely']);
  });

  it('never reports a delivery on a UserPromptSubmit hook the transcript does not bear out (a forged one)', async () => {
    const s = await session('never-submit');
    const session_ = (await t.api('GET', `/v1/sessions/${s.id}`)).body;
    const secret = hookSecretOf(t.config.tmuxSocket, session_.tmux.paneId);
    const sending = send(s.id, 'not taken');
    await waitFor(() => keysReceived(s.log()).includes('\r'), { what: 'the text and Enter to reach the stand-in' });
    const forged = await callHook(t.hookUrl, 'UserPromptSubmit', { id: s.id, secret }, { prompt: 'not taken' });
    expect(forged.status).toBe(200);
    const sent = await sending;
    expect(sent.body).toMatchObject({ delivered: false, mayArriveLater: true });
    expect(occurrences(keysReceived(s.log()), 'not taken')).toBe(1);
    expect(submitted(s.log())).toEqual([]);
    expect(await userTexts(s.id)).toEqual([]);
  });

  it('counts a new user record in the transcript as confirmation when no hook fires', async () => {
    const s = await session('no-hook');
    const sent = await send(s.id, 'seen in the transcript');
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    expect(s.log().filter((e) => e.event === 'hook')).toEqual([]);
    expect(keysReceived(s.log())).toBe(`${pastedKeys('seen in the transcript')}\r`);
  });

  it('answers once the message is in the transcript, so /read right after shows it', async () => {
    // The hook confirms at once; the transcript holds the message 1.5 s later.
    const s = await session('transcript-delay=1500');
    const sent = await send(s.id, 'read me right away');
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    expect(await userTexts(s.id)).toEqual(['read me right away']);
  });

  it('pastes text of up to 800 characters a line at a time, and longer text whole, each arriving exactly', async () => {
    const s = await session();
    const short = `${'t'.repeat(799)}!`;
    const long = `${'p'.repeat(800)}\n!`;
    expect((await send(s.id, short)).body).toEqual({ delivered: true, attempts: 1 });
    await untilReplied(s.id, 1);
    expect((await send(s.id, long)).body).toEqual({ delivered: true, attempts: 1 });
    expect(keysReceived(s.log())).toBe(`${pastedKeys(short)}\r\x1b[200~${long.replace('\n', '\r')}\x1b[201~\r`);
    expect(submitted(s.log())).toEqual([short, long]);
  });

  it('types a slash command, and presses Enter only once Claude shows its last line, so the first Enter submits', async () => {
    // This Claude takes a fast burst of keys holding a line break for a paste, where Enter is a line break.
    const s = await session('paste-bursts=300');
    const text = '/compact keep\nthe API notes';
    const sent = await send(s.id, text);
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    expect(submitted(s.log())).toEqual([text]);
    expect(keysReceived(s.log())).toBe(`${text}\r`);
  });

  it('presses Enter right after several pasted lines, and Claude, taking a fast burst of typed keys for a paste, submits at the first Enter', async () => {
    // This Claude takes a fast burst of keys holding a line break for a paste, where Enter is a line break.
    const s = await session('paste-bursts=300');
    const text = 'one\ntwo\nthree';
    const sent = await send(s.id, text);
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    expect(submitted(s.log())).toEqual([text]);
    expect(keysReceived(s.log())).toBe(`${pastedKeys(text)}\r`);
  });

  it('pastes two sends made at once one after the other, each confirmed by its own prompt', async () => {
    const s = await session();
    const [a, b] = await Promise.all([send(s.id, 'first of two'), send(s.id, 'second of two')]);
    expect(a.body).toEqual({ delivered: true, attempts: 1 });
    expect(b.body).toEqual({ delivered: true, attempts: 1 });
    expect(submitted(s.log()).sort()).toEqual(['first of two', 'second of two']);
    const keys = keysReceived(s.log());
    expect([`${pastedKeys('first of two')}\r${pastedKeys('second of two')}\r`, `${pastedKeys('second of two')}\r${pastedKeys('first of two')}\r`]).toContain(keys);
  });

  it('refuses an Idempotency-Key that is not 1-200 visible ASCII characters with 400 naming the header', async () => {
    const s = await session();
    for (const key of ['has space', 'ü-key', 'k'.repeat(201)]) {
      const res = await send(s.id, 'never typed', { 'idempotency-key': key });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('idempotency-key');
    }
    expect(keysReceived(s.log())).toBe('');
  });

  it('remembers the last 100 Idempotency-Keys of a session: a retry with the 100th-newest is answered, one with the 101st is typed again', async () => {
    const s = await session();
    for (let i = 0; i <= 100; i++) {
      expect((await send(s.id, `message ${i}`, { 'idempotency-key': `key-${i}` })).body).toMatchObject({ delivered: true });
    }
    expect((await send(s.id, 'message 1', { 'idempotency-key': 'key-1' })).body).toMatchObject({ delivered: true });
    expect(submitted(s.log()).filter((text) => text === 'message 1')).toHaveLength(1);
    expect((await send(s.id, 'message 0', { 'idempotency-key': 'key-0' })).body).toMatchObject({ delivered: true });
    expect(submitted(s.log()).filter((text) => text === 'message 0')).toHaveLength(2);
  });

  it('never hands a session that is being typed into to a create for its workDir, and does once the typing is over', async () => {
    const s = await session('never-submit');
    const typing = send(s.id, 'taking a while');
    await waitFor(() => keysReceived(s.log()).includes('taking a while'), { what: 'the typing to begin' });
    const during = await t.api('POST', '/v1/sessions', { workDir: s.workDir });
    expect(during.status).toBe(201);
    expect(during.body).toMatchObject({ reused: false });
    expect(during.body.id).not.toBe(s.id);
    expect((await typing).body).toMatchObject({ delivered: false, attempts: 3 });
    await t.api('DELETE', `/v1/sessions/${during.body.id}`);
    const after = await t.api('POST', '/v1/sessions', { workDir: s.workDir });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: s.id, reused: true });
  });

  it('gives CRLF and CR as the line break Ctrl-J, so Claude receives LF', async () => {
    const s = await session();
    expect((await send(s.id, 'one\r\ntwo\rthree')).body).toEqual({ delivered: true, attempts: 1 });
    expect(keysReceived(s.log())).toBe(`${pastedKeys('one\ntwo\nthree')}\r`);
    expect(submitted(s.log())).toEqual(['one\ntwo\nthree']);
  });

  it('answers a create 201, and a reusing create 200, when its prompt could not be delivered, saying so in promptDelivery', async () => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir, prompt: 'first prompt', env: { FAKE_CLAUDE_SCRIPT: 'never-submit' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ reused: false, promptDelivery: { delivered: false, attempts: 3, mayArriveLater: true, error: expect.any(String) } });
    const reused = await t.api('POST', '/v1/sessions', { workDir, prompt: 'second prompt' });
    expect(reused.status).toBe(200);
    expect(reused.body).toMatchObject({ id: created.body.id, reused: true, promptDelivery: { delivered: false, attempts: 3, mayArriveLater: true } });
    expect(submitted(fakeClaudeLog(workDir, created.body.id))).toEqual([]);
  });
});
