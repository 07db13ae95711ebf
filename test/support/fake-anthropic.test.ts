/**
 * The fake Messages API at the HTTP level: the events, errors, usage and turn shapes Claude Code
 * gets from it, read with a real SSE parser.
 */
import { createParser } from 'eventsource-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeFailures, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { waitFor } from './wait-for.js';

interface SseEvent { event: string; data: any }
interface Stream { events: SseEvent[]; names: string[]; broken: boolean }

/** Reads a whole SSE body; `broken` when the connection ended without finishing the HTTP response. */
async function readSse(res: Response): Promise<Stream> {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) }) });
  const decoder = new TextDecoder();
  let broken = false;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  } catch {
    broken = true;
  }
  return { events, names: events.map((e) => e.event), broken };
}

const TOOLS = [{ name: 'Bash', description: 'run', input_schema: { type: 'object' } }];

function body(text: string, opts: { tools?: unknown[]; stream?: boolean; content?: unknown } = {}) {
  return {
    model: 'claude-test',
    max_tokens: 100,
    stream: opts.stream ?? true,
    tools: opts.tools ?? TOOLS,
    messages: [{ role: 'user', content: opts.content ?? [{ type: 'text', text: '<system-reminder>\nnote\n</system-reminder>\n' }, { type: 'text', text }] }],
  };
}

const deltasOf = (s: Stream, type: string) => s.events.filter((e) => e.event === 'content_block_delta' && e.data.delta.type === type).map((e) => e.data.delta);
const messageDelta = (s: Stream) => s.events.find((e) => e.event === 'message_delta')!.data;

describe('fake Anthropic Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => { fake = await startFakeAnthropic(); });
  afterEach(async () => { await fake.close(); });

  const post = (payload: unknown, headers: Record<string, string> = {}) => fetch(`${fake.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-secret', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const stream = async (text: string, headers: Record<string, string> = {}) => readSse(await post(body(text), headers));

  describe('a plain reply', () => {
    it('streams the events of the real API in order: message_start, ping, one block, message_delta, message_stop', async () => {
      const res = await post(body('hello there'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      expect(res.headers.get('request-id')).toMatch(/^req_/);
      const s = await readSse(res);
      expect(s.names).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
      for (const e of s.events) expect(e.data.type).toBe(e.event);
      const start = s.events[0]!.data.message;
      expect(start).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null });
      expect(start.id).toMatch(/^msg_/);
      expect(s.events[2]!.data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      expect(s.events[3]!.data.delta).toEqual({ type: 'text_delta', text: 'ACK 11 chars: hello there' });
      expect(messageDelta(s).delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
      expect(s.broken).toBe(false);
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]).toMatchObject({ isMain: true, lastUserText: 'hello there', stream: true, model: 'claude-test' });
    });

    it('answers requests without tools with a short plain text', async () => {
      const s = await readSse(await post(body('make a title', { tools: [] })));
      expect(s.events[3]!.data.delta.text).toBe('Aegis test');
      expect(fake.requests[0]!.isMain).toBe(false);
    });

    it('answers non-streaming requests with the whole message object', async () => {
      const res = await post(body('[[bash: ls]]', { stream: false }));
      const msg = await res.json();
      expect(msg).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'tool_use' });
      expect(msg.content[0]).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'ls' } });
      expect(msg.usage).toMatchObject({ input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' });
    });

    it('uses a custom responder and falls back to the default one on null', async () => {
      fake.setResponder(() => ({ text: 'custom', usage: { input_tokens: 7, output_tokens: 3 } }));
      let s = await stream('x');
      expect(s.events[3]!.data.delta.text).toBe('custom');
      expect(s.events[0]!.data.message.usage.input_tokens).toBe(7);
      fake.setResponder(null);
      s = await stream('x');
      expect(s.events[3]!.data.delta.text).toBe('ACK 1 chars: x');
    });

    it('tells requests apart by the Claude Code session header', async () => {
      await stream('x', { 'x-claude-code-session-id': 'session-a' });
      expect(fake.requests[0]!.sessionId).toBe('session-a');
    });
  });

  describe('usage', () => {
    it('reports cache tokens and the service tier in message_start, and cumulative counts in message_delta', async () => {
      fake.enqueue({ text: 'cached', usage: { input_tokens: 120, output_tokens: 45, cache_creation_input_tokens: 3000, cache_read_input_tokens: 2000 } });
      const s = await stream('x');
      expect(s.events[0]!.data.message.usage).toEqual({
        input_tokens: 120, cache_creation_input_tokens: 3000, cache_read_input_tokens: 2000,
        cache_creation: { ephemeral_5m_input_tokens: 3000, ephemeral_1h_input_tokens: 0 },
        output_tokens: 1, service_tier: 'standard',
      });
      expect(messageDelta(s).usage).toEqual({ input_tokens: 120, cache_creation_input_tokens: 3000, cache_read_input_tokens: 2000, output_tokens: 45 });
    });

    it('can report other counts in message_start than in the final message_delta', async () => {
      fake.enqueue({ text: 'x', usage: { input_tokens: 130, output_tokens: 45 }, startUsage: { input_tokens: 120, output_tokens: 7, service_tier: 'priority' } });
      const s = await stream('x');
      expect(s.events[0]!.data.message.usage).toMatchObject({ input_tokens: 120, output_tokens: 7, service_tier: 'priority' });
      expect(messageDelta(s).usage).toMatchObject({ input_tokens: 130, output_tokens: 45 });
    });

    it('reads [[usage: IN OUT CACHE_WRITE CACHE_READ]]', async () => {
      const s = await stream('count [[usage: 1 2 3 4]]');
      expect(messageDelta(s).usage).toEqual({ input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 3, cache_read_input_tokens: 4 });
    });
  });

  describe('turn shapes', () => {
    it('turns [[bash: ...]] into a Bash tool_use with input_json_delta', async () => {
      const s = await stream('please [[bash: echo hi > out.txt]]');
      const start = s.events.find((e) => e.event === 'content_block_start')!.data.content_block;
      expect(start).toMatchObject({ type: 'tool_use', name: 'Bash', input: {} });
      expect(start.id).toMatch(/^toolu_/);
      expect(JSON.parse(deltasOf(s, 'input_json_delta')[0].partial_json)).toEqual({ command: 'echo hi > out.txt', description: 'run a command' });
      expect(messageDelta(s).delta.stop_reason).toBe('tool_use');
    });

    it('puts two tool_use blocks in one message for two tool directives', async () => {
      const s = await stream('[[read: /a.txt]] and [[read: /b.txt]]');
      const blocks = s.events.filter((e) => e.event === 'content_block_start').map((e) => e.data);
      expect(blocks.map((b) => [b.index, b.content_block.name])).toEqual([[0, 'Read'], [1, 'Read']]);
      expect(blocks[0].content_block.id).not.toBe(blocks[1].content_block.id);
      expect(deltasOf(s, 'input_json_delta').map((d) => JSON.parse(d.partial_json))).toEqual([{ file_path: '/a.txt' }, { file_path: '/b.txt' }]);
      expect(s.names.filter((n) => n === 'content_block_stop')).toHaveLength(2);
      expect(messageDelta(s).delta.stop_reason).toBe('tool_use');
    });

    it('answers several tool results with one line each', async () => {
      const content = [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'one' },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'two' }] },
      ];
      const s = await readSse(await post(body('', { content })));
      expect(s.events[3]!.data.delta.text).toBe('tool result: one\ntool result: two');
      expect(fake.requests[0]).toMatchObject({ toolResults: ['one', 'two'], lastToolResult: 'two' });
    });

    it('splits text and tool input over several deltas that join to the whole', async () => {
      const input = { command: 'echo pieces > p.txt', description: 'split input' };
      fake.enqueue({ text: 'piece by piece', chunks: 4, toolUse: { name: 'Bash', input }, inputChunks: 5 });
      const s = await stream('x');
      const texts = deltasOf(s, 'text_delta').map((d) => d.text);
      expect(texts).toHaveLength(4);
      expect(texts.join('')).toBe('piece by piece');
      const pieces = deltasOf(s, 'input_json_delta').map((d) => d.partial_json as string);
      expect(pieces).toHaveLength(5);
      expect(() => JSON.parse(pieces[0]!)).toThrow();
      expect(JSON.parse(pieces.join(''))).toEqual(input);
    });

    it('sends ping events after message_start and between blocks', async () => {
      fake.enqueue({ text: 'a', toolUses: [{ name: 'Read', input: { file_path: '/x' } }, { name: 'Read', input: { file_path: '/y' } }], pings: 3 });
      const s = await stream('x');
      expect(s.names.filter((n) => n === 'ping')).toHaveLength(3);
      expect(s.names.slice(0, 2)).toEqual(['message_start', 'ping']);
      expect(s.events.find((e) => e.event === 'ping')!.data).toEqual({ type: 'ping' });
    });

    it('ends a reply with max_tokens or refusal when asked', async () => {
      expect(messageDelta(await stream('[[max_tokens]]')).delta.stop_reason).toBe('max_tokens');
      const refused = await stream('[[refusal]]');
      expect(messageDelta(refused).delta.stop_reason).toBe('refusal');
      fake.enqueue({ text: 'partial', stopReason: 'max_tokens' });
      expect(messageDelta(await stream('x')).delta.stop_reason).toBe('max_tokens');
    });

    it('streams a thinking block with thinking_delta pieces and one signature_delta before the text', async () => {
      const s = await stream('[[think: weighing the options]]');
      const starts = s.events.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block);
      expect(starts).toEqual([{ type: 'thinking', thinking: '', signature: '' }, { type: 'text', text: '' }]);
      const thinking = deltasOf(s, 'thinking_delta');
      expect(thinking.length).toBeGreaterThan(1);
      expect(thinking.map((d) => d.thinking).join('')).toBe('weighing the options');
      const signatures = deltasOf(s, 'signature_delta');
      expect(signatures).toHaveLength(1);
      expect(signatures[0].signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const firstText = s.events.findIndex((e) => e.data.delta?.type === 'text_delta');
      expect(firstText).toBeGreaterThan(s.events.findIndex((e) => e.data.delta?.type === 'signature_delta'));
      expect(deltasOf(s, 'text_delta').map((d) => d.text).join('')).toBe('thought: weighing the options');

      const msg = await (await post(body('[[think: quietly]]', { stream: false }))).json();
      expect(msg.content[0]).toEqual({ type: 'thinking', thinking: 'quietly', signature: expect.any(String) });
    });

    it('turns [[ask: ...]] into an AskUserQuestion tool_use', async () => {
      const s = await stream('[[ask: Which database?|SQLite|Postgres]]');
      expect(JSON.parse(deltasOf(s, 'input_json_delta')[0].partial_json)).toEqual({
        questions: [{
          question: 'Which database?',
          header: 'Question',
          multiSelect: false,
          options: [{ label: 'SQLite', description: 'Pick SQLite' }, { label: 'Postgres', description: 'Pick Postgres' }],
        }],
      });
    });

    it('streams [[slow: N]] in N chunks', async () => {
      const t0 = Date.now();
      const s = await stream('[[slow: 3]]');
      expect(deltasOf(s, 'text_delta').map((d) => d.text).join('')).toBe('part 1 of 3. part 2 of 3. part 3 of 3.');
      expect(deltasOf(s, 'text_delta')).toHaveLength(3);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
    });
  });

  describe('errors', () => {
    it('answers [[error: N]] with an Anthropic error body', async () => {
      const res = await post(body('[[error: 529]]'));
      expect(res.status).toBe(529);
      expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Fake error 529' }, request_id: expect.stringMatching(/^req_/) });
    });

    it.each([
      ['rateLimited', fakeFailures.rateLimited({ retryAfterSeconds: 3 }), 429, 'rate_limit_error', { 'retry-after': '3' }],
      ['unauthorized', fakeFailures.unauthorized(), 401, 'authentication_error', {}],
      ['internal', fakeFailures.internal(), 500, 'api_error', {}],
      ['overloaded', fakeFailures.overloaded({ noRetry: true }), 529, 'overloaded_error', { 'x-should-retry': 'false' }],
    ] as const)('answers %s with its status, error type and headers', async (_name, failure, status, type, headers) => {
      fake.enqueue(failure);
      const res = await post(body('x'));
      expect(res.status).toBe(status);
      expect((await res.json()).error.type).toBe(type);
      for (const [name, value] of Object.entries(headers)) expect(res.headers.get(name)).toBe(value);
    });

    it('fails the next N main requests, then answers again; requests without tools are not counted', async () => {
      fake.failNext(2, { status: 500, type: 'api_error', message: 'Internal server error' });
      expect(fake.pending()).toBe(2);
      expect((await post(body('title', { tools: [] }))).status).toBe(200);
      expect((await post(body('x'))).status).toBe(500);
      expect((await post(body('x'))).status).toBe(500);
      expect(fake.pending()).toBe(0);
      expect((await post(body('x'))).status).toBe(200);
    });

    it('keeps a script for one session away from the requests of another', async () => {
      fake.failNext(1, fakeFailures.unauthorized(), 'session-b');
      fake.enqueueFor('session-a', { text: 'for a' });
      expect((await post(body('x'), { 'x-claude-code-session-id': 'session-c' })).status).toBe(200);
      expect((await post(body('x'), { 'x-claude-code-session-id': 'session-b' })).status).toBe(401);
      const a = await stream('x', { 'x-claude-code-session-id': 'session-a' });
      expect(a.events[3]!.data.delta.text).toBe('for a');
    });

    it('sends event: error in the middle of a stream, after some deltas, and no message_stop', async () => {
      fake.enqueue(fakeFailures.errorMidStream());
      const s = await stream('x');
      expect(s.names).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'error']);
      expect(s.events.at(-1)!.data).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: expect.any(String) });
      expect(s.broken).toBe(false);
      const plain = await post(body('[[stream-error]]', { stream: false }));
      expect(plain.status).toBe(529);
    });

    it('drops the connection in the middle of a stream', async () => {
      fake.enqueue(fakeFailures.droppedMidStream());
      const s = await stream('x');
      expect(s.broken).toBe(true);
      expect(s.names).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta']);
      await expect(post(body('[[drop]]', { stream: false })).then((r) => r.text())).rejects.toThrow();
    });

    it('holds a [[hang]] stream open until release()', async () => {
      const res = await post(body('[[hang]]'));
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('content_block_delta')) text += decoder.decode((await reader.read()).value, { stream: true });
      await waitFor(() => fake.holding() === 1, { what: 'the stream to be held' });
      const rest = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return text;
          text += decoder.decode(value, { stream: true });
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      expect(text).not.toContain('message_stop');
      fake.release();
      expect(await rest).toContain('event: message_stop');
    });

    it('close() ends a hanging stream', async () => {
      const res = await post(body('[[hang]]'));
      const reader = res.body!.getReader();
      await reader.read();
      await fake.close();
      const ended = async () => {
        try { for (;;) if ((await reader.read()).done) return 'done'; } catch { return 'aborted'; }
      };
      expect(['done', 'aborted']).toContain(await ended());
    });
  });

  describe('other paths', () => {
    it('answers HEAD /api/hello and count_tokens, and 404 with an error body elsewhere', async () => {
      expect((await fetch(`${fake.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
      const count = await fetch(`${fake.url}/v1/messages/count_tokens?beta=true`, { method: 'POST', body: JSON.stringify(body('count these')) });
      expect(count.status).toBe(200);
      expect((await count.json()).input_tokens).toBeGreaterThan(0);
      for (const [method, path] of [['GET', '/something/else'], ['GET', '/v1/models'], ['POST', '/v1/complete']]) {
        const other = await fetch(`${fake.url}${path}`, { method });
        expect(other.status).toBe(404);
        expect(await other.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: `Not Found: ${method} ${path}` }, request_id: expect.any(String) });
      }
    });

    it('logs every call with its status, keys redacted', async () => {
      await post(body('x'));
      await fetch(`${fake.url}/nowhere?x=1`);
      await fetch(`${fake.url}/api/hello`, { method: 'HEAD' });
      await waitFor(() => fake.calls.every((c) => c.status > 0), { what: 'every call to be answered' });
      expect(fake.calls.map((c) => [c.method, c.path, c.query, c.status])).toEqual([
        ['POST', '/v1/messages', 'beta=true', 200], ['GET', '/nowhere', 'x=1', 404], ['HEAD', '/api/hello', '', 200],
      ]);
      expect(fake.calls[0]!.headers['x-api-key']).toBe('[redacted]');
    });

    it('survives bad input', async () => {
      const bad = await post('not json');
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.type).toBe('invalid_request_error');
      expect((await post({ messages: 'odd' })).status).toBe(200);
      expect((await post(body('still alive'))).status).toBe(200);
    });
  });
});
