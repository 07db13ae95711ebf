import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';

interface SseEvent { event: string; data: any }

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const lines = chunk.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))!.slice('event: '.length);
      const data = JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice('data: '.length));
      return { event, data };
    });
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

describe('fake Anthropic Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => { fake = await startFakeAnthropic(); });
  afterEach(async () => { await fake.close(); });

  const post = (payload: unknown) => fetch(`${fake.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

  it('streams a text reply in the Anthropic SSE format', async () => {
    const res = await post(body('hello there'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);
    const start = events[0]!.data.message;
    expect(start).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null });
    expect(typeof start.id).toBe('string');
    expect(start.usage.input_tokens).toBeGreaterThan(0);
    expect(events[1]!.data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(events[2]!.data.delta).toEqual({ type: 'text_delta', text: 'ACK 11 chars: hello there' });
    expect(events[4]!.data.delta.stop_reason).toBe('end_turn');
    expect(events[4]!.data.usage.output_tokens).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ isMain: true, lastUserText: 'hello there' });
  });

  it('answers requests without tools with a short plain text', async () => {
    const events = parseSse(await (await post(body('make a title', { tools: [] }))).text());
    expect(events[2]!.data.delta.text).toBe('Aegis test');
    expect(fake.requests[0]!.isMain).toBe(false);
  });

  it('turns [[bash: ...]] into a Bash tool_use with input_json_delta', async () => {
    const events = parseSse(await (await post(body('please [[bash: echo hi > out.txt]]'))).text());
    const start = events.find((e) => e.event === 'content_block_start')!.data.content_block;
    expect(start).toMatchObject({ type: 'tool_use', name: 'Bash', input: {} });
    expect(start.id).toMatch(/^toolu_/);
    const delta = events.find((e) => e.event === 'content_block_delta')!.data.delta;
    expect(delta.type).toBe('input_json_delta');
    expect(JSON.parse(delta.partial_json)).toEqual({ command: 'echo hi > out.txt', description: 'run a command' });
    expect(events.find((e) => e.event === 'message_delta')!.data.delta.stop_reason).toBe('tool_use');
  });

  it('turns [[ask: ...]] into an AskUserQuestion tool_use', async () => {
    const events = parseSse(await (await post(body('[[ask: Which database?|SQLite|Postgres]]'))).text());
    const delta = events.find((e) => e.event === 'content_block_delta')!.data.delta;
    expect(JSON.parse(delta.partial_json)).toEqual({
      questions: [{
        question: 'Which database?',
        header: 'Question',
        multiSelect: false,
        options: [{ label: 'SQLite', description: 'Pick SQLite' }, { label: 'Postgres', description: 'Pick Postgres' }],
      }],
    });
  });

  it('echoes a tool_result', async () => {
    const content = [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'hi' }] }];
    const events = parseSse(await (await post(body('', { content }))).text());
    expect(events[2]!.data.delta.text).toBe('tool result: hi');
    expect(fake.requests[0]!.lastToolResult).toBe('hi');
  });

  it('streams [[slow: N]] in N chunks', async () => {
    const t0 = Date.now();
    const events = parseSse(await (await post(body('[[slow: 3]]'))).text());
    const deltas = events.filter((e) => e.event === 'content_block_delta');
    expect(deltas).toHaveLength(3);
    expect(deltas.map((e) => e.data.delta.text).join('')).toBe('part 1 of 3. part 2 of 3. part 3 of 3.');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
  });

  it('holds a [[hang]] stream open until release()', async () => {
    const res = await post(body('[[hang]]'));
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('content_block_delta')) text += decoder.decode((await reader.read()).value, { stream: true });
    expect(text).not.toContain('message_stop');
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
    const all = parseSse(await rest);
    expect(all.at(-1)!.event).toBe('message_stop');
  });

  it('answers [[error: N]] with an Anthropic error body', async () => {
    const res = await post(body('[[error: 529]]'));
    expect(res.status).toBe(529);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Fake error 529' } });
  });

  it('uses a custom responder and falls back to the default one on null', async () => {
    fake.setResponder(() => ({ text: 'custom', usage: { input_tokens: 7, output_tokens: 3 } }));
    let events = parseSse(await (await post(body('x'))).text());
    expect(events[2]!.data.delta.text).toBe('custom');
    expect(events[0]!.data.message.usage.input_tokens).toBe(7);
    fake.setResponder(null);
    events = parseSse(await (await post(body('x'))).text());
    expect(events[2]!.data.delta.text).toBe('ACK 1 chars: x');
  });

  it('answers non-streaming requests with a message object', async () => {
    const res = await post(body('[[bash: ls]]', { stream: false }));
    const msg = await res.json();
    expect(msg).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'tool_use' });
    expect(msg.content[0]).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'ls' } });
  });

  it('answers HEAD /api/hello and unknown paths, and survives bad input', async () => {
    expect((await fetch(`${fake.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
    const other = await fetch(`${fake.url}/something/else`);
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({});
    expect((await post('not json')).status).toBe(400);
    expect((await post({ messages: 'odd' })).status).toBe(200);
    expect((await post(body('still alive'))).status).toBe(200);
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
