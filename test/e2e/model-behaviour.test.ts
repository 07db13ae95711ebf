/**
 * What Aegis reports when the model API behaves as the real one does, with the real Claude Code:
 * API errors that Claude retries or gives up on, usage with cache tokens and cost, several tool calls
 * in one message, replies cut off at max_tokens or refused, thinking, and the paths Claude calls.
 *
 * Claude's retries are made fast with CLAUDE_CODE_MAX_RETRIES (it then tries 1 + N times) and, per
 * answer, with `x-should-retry: false` (it gives up at once); see docs/claude-code.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcriptPath } from '../../src/claude/transcript.js';
import { fakeFailures } from '../support/fake-anthropic.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

const outside = mkdtempSync(join(tmpdir(), 'aegis-model-'));
const fileA = join(outside, 'a.txt');
const fileB = join(outside, 'b.txt');
writeFileSync(fileA, 'contents of a\n');
writeFileSync(fileB, 'contents of b\n');

interface Message { role: string; kind: string; text: string; toolName?: string }

describe('the model API as the real one behaves', () => {
  let t: TestDaemon;
  let events: SseClient;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true, env: { CLAUDE_CODE_MAX_RETRIES: '2' } });
    events = await openSse(`${t.url}/v1/events`);
  });
  afterAll(async () => {
    events?.close();
    await t?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  const session = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body;
  const messages = async (id: string) => (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Message[];
  const untilIdle = (id: string, timeoutMs = 30_000) =>
    waitFor(async () => (await session(id)).status === 'idle', { timeoutMs, what: `session ${id} to be idle` });
  const eventsOf = (id: string, type: string) => events.events.filter((e) => e.event === type && e.data.sessionId === id);
  /** A new idle session; the fake's script for it is set before anything is sent. */
  const idleSession = async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await untilIdle(id);
    return id;
  };
  const send = async (id: string, text: string) => {
    const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text });
    expect(sent.body).toMatchObject({ delivered: true });
  };
  const lastAssistantText = async (id: string, text: string) =>
    waitFor(async () => (await messages(id)).some((m) => m.role === 'assistant' && m.text === text), { what: `the reply "${text}"` });

  describe('API errors Claude retries', () => {
    it('stays working while Claude retries a 429, then ends idle with the reply', async () => {
      const id = await idleSession();
      t.fake!.failNext(2, fakeFailures.rateLimited({ retryAfterSeconds: 2 }), id);
      t.fake!.enqueueFor(id, { text: 'answered after two rate limits' });
      await send(id, 'are you rate limited?');
      const pane = await waitFor(async () => {
        const text = (await t.api('GET', `/v1/sessions/${id}/pane`)).body.text as string;
        return /attempt 2\/2/.test(text) ? text : undefined;
      }, { what: 'the retry notice on the screen' });
      expect(pane).toMatch(/429 Number of request tokens has exceeded your per-minute rate limit · retrying in \d+s · attempt 2\/2/);
      expect((await session(id)).status).toBe('working');
      await untilIdle(id);
      await lastAssistantText(id, 'answered after two rate limits');
      expect(t.fake!.requests.filter((r) => r.sessionId === id && r.isMain)).toHaveLength(3);
      expect(eventsOf(id, 'turn_failed')).toEqual([]);
    });

    it('gets the whole reply after an error event mid-stream (Claude asks again without streaming)', async () => {
      const id = await idleSession();
      t.fake!.enqueueFor(id, fakeFailures.errorMidStream('half a reply that is thrown away'), { text: 'the reply, asked again' });
      await send(id, 'stream please');
      await untilIdle(id);
      await lastAssistantText(id, 'the reply, asked again');
      const mine = t.fake!.requests.filter((r) => r.sessionId === id);
      expect(mine.map((r) => r.stream)).toEqual([true, false]);
      expect((await messages(id)).filter((m) => m.role === 'assistant').map((m) => m.text)).toEqual(['the reply, asked again']);
    });

    it('gets the whole reply after the connection drops mid-stream', async () => {
      const id = await idleSession();
      t.fake!.enqueueFor(id, fakeFailures.droppedMidStream('half a reply lost with its connection'), { text: 'the reply, streamed again' });
      await send(id, 'stream again');
      await untilIdle(id);
      await lastAssistantText(id, 'the reply, streamed again');
      expect(t.fake!.requests.filter((r) => r.sessionId === id).map((r) => r.stream)).toEqual([true, true]);
    });
  });

  describe('a turn that fails for good (Claude fires StopFailure, not Stop)', () => {
    const failed: Record<string, string> = {};
    beforeAll(async () => {
      failed.auth = await idleSession();
      t.fake!.failNext(1, fakeFailures.unauthorized({ noRetry: true }), failed.auth);
      await send(failed.auth, 'is my key good?');
      failed.server = await idleSession();
      t.fake!.failNext(3, fakeFailures.internal(), failed.server); // 1 + CLAUDE_CODE_MAX_RETRIES attempts
      await send(failed.server, 'is the server up?');
      failed.overloaded = await idleSession();
      t.fake!.failNext(3, fakeFailures.overloaded(), failed.overloaded);
      await send(failed.overloaded, 'is the model free?');
      for (const id of Object.values(failed)) await waitFor(async () => (await messages(id)).some((m) => m.role === 'assistant'), { what: 'the error message' });
    });

    it('ends idle, with Claude\'s error message as the last assistant message', async () => {
      await untilIdle(failed.auth!);
      expect((await messages(failed.auth!)).at(-1)).toMatchObject({ role: 'assistant', kind: 'text', text: 'Invalid API key · Fix external API key' });
      expect(t.fake!.requests.filter((r) => r.sessionId === failed.auth)).toHaveLength(1);
      await untilIdle(failed.server!);
      expect((await messages(failed.server!)).at(-1)!.text).toMatch(/^API Error: 500 Internal server error\. This is a server-side issue/);
      expect(t.fake!.requests.filter((r) => r.sessionId === failed.server)).toHaveLength(3);
      // The error costs nothing: Claude records it with zero usage.
      expect((await session(failed.server!)).usage).toMatchObject({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 });
    });

    it('publishes turn_failed with the error Claude reports (authentication_failed, server_error)', async () => {
      await waitFor(() => eventsOf(failed.auth!, 'turn_failed').length > 0 && eventsOf(failed.server!, 'turn_failed').length > 0, { timeoutMs: 3000, what: 'turn_failed events' });
      expect(eventsOf(failed.auth!, 'turn_failed')[0]!.data).toMatchObject({ error: 'authentication_failed' });
      expect(eventsOf(failed.server!, 'turn_failed')[0]!.data).toMatchObject({ error: 'server_error' });
    });

    it('shows an overloaded model API (529) as the failed turn it is: turn_failed, then idle', async () => {
      await waitFor(() => eventsOf(failed.overloaded!, 'turn_failed').length > 0, { timeoutMs: 3000, what: 'a turn_failed event' });
      // Claude 2.1.330 reports repeated 529s as a server error, naming them in its message.
      expect(eventsOf(failed.overloaded!, 'turn_failed')[0]!.data).toMatchObject({ error: 'server_error', message: expect.stringContaining('529 Overloaded') });
      expect(t.fake!.requests.filter((r) => r.sessionId === failed.overloaded)).toHaveLength(3);
      await untilIdle(failed.overloaded!);
    });
  });

  describe('usage', () => {
    it('sums tokens per API response, cache reads and writes included, and prices them with the table', async () => {
      const id = await idleSession();
      t.fake!.enqueueFor(
        id,
        { text: 'first, with a cache write', usage: { input_tokens: 120, output_tokens: 45, cache_creation_input_tokens: 3000, cache_read_input_tokens: 2000 } },
        // The thinking block and the text are two transcript records of one response: counted once.
        { thinking: 'mulling it over', text: 'second, from the cache', usage: { input_tokens: 80, output_tokens: 30, cache_read_input_tokens: 5000 } },
      );
      await send(id, 'first');
      await untilIdle(id);
      await send(id, 'second');
      await untilIdle(id);
      await lastAssistantText(id, 'second, from the cache');
      const { usage } = await session(id);
      // Claude records input, output and cache counts from message_delta's cumulative usage.
      expect(usage).toMatchObject({ inputTokens: 200, outputTokens: 75, cacheWriteTokens: 3000, cacheReadTokens: 7000 });
      // The built-in table prices claude-opus-5-5 as Claude itself does: 4 (input), 20 (output), 5 (cache
      // write), 0.2 (cache read) USD per million.
      expect(usage.costUsd).toBeCloseTo(((120 + 80) * 4 + 75 * 20 + 3000 * 5 + 7000 * 0.2) / 1e6, 9);
      expect((await messages(id)).filter((m) => m.role === 'assistant').map((m) => m.text)).toEqual(['first, with a cache write', 'second, from the cache']);
    });

    // Claude writes its own cost-state record on /exit, after its last message: the session's cost stays
    // the price table's, the figure the ledger and the budgets count.
    it("keeps the price table's cost when Claude records its own (on /exit)", async () => {
      const id = await idleSession();
      t.fake!.enqueueFor(id, { text: 'priced', usage: { input_tokens: 120, output_tokens: 45, cache_creation_input_tokens: 3000, cache_read_input_tokens: 2000 } });
      await send(id, 'price this');
      await untilIdle(id);
      const { workDir } = await session(id);
      await t.api('POST', `/v1/sessions/${id}/send`, { text: '/exit' });
      await waitFor(async () => (await session(id)).status === 'exited', { what: 'Claude to exit' });
      const transcript = transcriptPath({ CLAUDE_CONFIG_DIR: join(dirname(t.config.stateDir), 'claude-config') }, workDir, id);
      const claudesOwn = await waitFor(() => {
        const records = readFileSync(transcript, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type?: string; totalCostUSD?: number });
        return records.filter((r) => r.type === 'cost-state').pop()?.totalCostUSD;
      }, { what: "Claude's cost-state record" });
      expect(claudesOwn).toBeGreaterThan(0);
      // Its tokens stay as the messages counted them, its cost as the table prices them.
      expect((await session(id)).usage).toMatchObject({
        inputTokens: 120, outputTokens: 45, cacheWriteTokens: 3000, cacheReadTokens: 2000, costUsd: (120 * 4 + 45 * 20 + 3000 * 5 + 2000 * 0.2) / 1e6,
      });
    });
  });

  describe('turn shapes', () => {
    it('holds two permissions at once for two tool calls in one message, and approves the oldest first', async () => {
      const id = await idleSession();
      // Streamed in pieces, as the real API does: the tool input's JSON arrives split over several deltas.
      t.fake!.enqueueFor(id, {
        text: 'Reading both files.', chunks: 3, inputChunks: 4, pings: 3,
        toolUses: [{ name: 'Read', input: { file_path: fileA } }, { name: 'Read', input: { file_path: fileB } }],
      });
      await send(id, 'read both');
      const requested = await waitFor(() => {
        const list = eventsOf(id, 'permission_request');
        return list.length === 2 ? list : undefined;
      }, { what: 'two permission requests' });
      expect(requested.map((e) => e.data.toolInput)).toEqual(expect.arrayContaining([{ file_path: fileA }, { file_path: fileB }]));
      const pending = (await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending as Array<{ id: string; toolInput: unknown }>;
      expect(pending).toHaveLength(2);
      const s = await session(id);
      expect(s.status).toBe('permission_prompt');
      expect(s.pendingPermission.id).toBe(pending[0]!.id);

      const first = await t.api('POST', `/v1/sessions/${id}/approve`, {});
      expect(first.body.permission.id).toBe(pending[0]!.id);
      expect((await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending.map((p: { id: string }) => p.id)).toEqual([pending[1]!.id]);
      expect((await session(id)).status).toBe('permission_prompt');
      const second = await t.api('POST', `/v1/sessions/${id}/approve`, {});
      expect(second.body.permission.id).toBe(pending[1]!.id);
      expect((await t.api('POST', `/v1/sessions/${id}/approve`, {})).status).toBe(409);

      await untilIdle(id);
      await waitFor(async () => (await messages(id)).filter((m) => m.kind === 'tool_result').length === 2, { what: 'both tool results' });
      const results = (await messages(id)).filter((m) => m.kind === 'tool_result').map((m) => m.text).join('\n');
      expect(results).toContain('contents of a');
      expect(results).toContain('contents of b');
      expect((await messages(id)).find((m) => m.role === 'assistant' && m.kind === 'text')!.text).toBe('Reading both files.');
    });

    it('ends idle after a reply cut off at max_tokens, once Claude has asked for the rest', async () => {
      const id = await idleSession();
      t.fake!.enqueueFor(id, { text: 'This reply stops in the middle of a', stopReason: 'max_tokens' }, { text: 'sentence, and goes on.' });
      await send(id, 'write a lot');
      await untilIdle(id);
      await lastAssistantText(id, 'sentence, and goes on.');
      const mine = t.fake!.requests.filter((r) => r.sessionId === id);
      expect(mine).toHaveLength(2);
      // 2.1.330 sends it as plain text, 2.1.332 inside <system-reminder> tags.
      expect(JSON.stringify(mine[1]!.body.messages.at(-1))).toContain('Output token limit hit. Resume directly');
      // Claude's request for the rest is a meta record: it is not a message of the session.
      expect((await messages(id)).map((m) => [m.role, m.text])).toEqual([
        ['user', 'write a lot'],
        ['assistant', 'This reply stops in the middle of a'],
        ['assistant', 'sentence, and goes on.'],
      ]);
      expect(eventsOf(id, 'turn_failed')).toEqual([]);
    });

    it('shows only the reply of a turn that thought first', async () => {
      const id = await idleSession();
      await send(id, '[[think: weighing the options]]');
      await untilIdle(id);
      await lastAssistantText(id, 'thought: weighing the options');
      expect((await messages(id)).filter((m) => m.role === 'assistant').map((m) => m.kind)).toEqual(['text']);
    });

    describe('a refused reply', () => {
      let id: string;
      beforeAll(async () => {
        id = await idleSession();
        // Claude asks once more after a refusal; a second refusal ends the turn with StopFailure.
        t.fake!.enqueueFor(id, { text: '', stopReason: 'refusal' }, { text: '', stopReason: 'refusal' });
        await send(id, 'something refused');
        await waitFor(async () => (await messages(id)).some((m) => m.role === 'assistant' && m.text.startsWith('API Error:')), { what: 'the refusal message' });
      });

      it('ends idle after Claude tried once more, with its safeguards message', async () => {
        await untilIdle(id);
        expect(t.fake!.requests.filter((r) => r.sessionId === id)).toHaveLength(2);
        expect((await messages(id)).at(-1)!.text).toMatch(/safeguards flagged this message/);
      });

      it('publishes turn_failed with the error Claude reports (invalid_request)', async () => {
        await waitFor(() => eventsOf(id, 'turn_failed').length > 0, { timeoutMs: 3000, what: 'a turn_failed event' });
        expect(eventsOf(id, 'turn_failed')[0]!.data).toMatchObject({ error: 'invalid_request' });
      });
    });
  });

  describe('paths', () => {
    it('sees Claude call nothing but POST /v1/messages (with non-essential traffic off), each answered', async () => {
      const id = await idleSession();
      await send(id, 'which paths?');
      await untilIdle(id);
      // Every call of every test in this file so far, this one's included.
      const paths = new Set(t.fake!.calls.map((c) => `${c.method} ${c.path}?${c.query}`));
      expect([...paths]).toEqual(['POST /v1/messages?beta=true']);
      expect(t.fake!.calls.filter((c) => c.status === 404)).toEqual([]);
    });
  });
});
