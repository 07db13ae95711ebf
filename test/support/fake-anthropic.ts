// A fake of the Anthropic Messages API for tests: enough of POST /v1/messages (streaming SSE and plain
// JSON) for the real Claude Code binary to hold a conversation with it. Only node:http is used.
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface FakeTurn {
  text?: string; // assistant text reply
  toolUse?: { name: string; input: Record<string, unknown> }; // a tool_use block (stop_reason "tool_use")
  chunks?: number; // split the text into this many text_delta events (default 1)
  chunkDelayMs?: number; // delay between streamed deltas (default 0)
  hang?: boolean; // send message_start and one delta, then hold the stream until release() or close()
  error?: { status: number; type: string; message: string }; // answer with an Anthropic-style error instead
  usage?: { input_tokens: number; output_tokens: number };
}
/** One /v1/messages request. isMain: it carries tools (the conversation, not a title or summary). */
export interface FakeRequestInfo { isMain: boolean; lastUserText: string; lastToolResult?: string; body: any }
export interface FakeAnthropic {
  url: string; // http://127.0.0.1:<port>
  requests: FakeRequestInfo[]; // every /v1/messages request seen, in order
  setResponder(fn: ((req: FakeRequestInfo) => FakeTurn) | null): void; // null = defaultResponder
  release(): void; // finish every hanging stream
  close(): Promise<void>; // close the server and every open connection
}

type Block = Record<string, unknown>;
const isObj = (v: unknown): v is Block => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a content value: a string, or the text blocks of an array, optionally without Claude's own notes. */
function contentText(content: unknown, skipNotes: boolean): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b): b is Block => isObj(b) && b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .filter((t) => !(skipNotes && /^\s*(<system-reminder>|\[Request interrupted by user)/.test(t)))
    .join('\n');
}

export function describeRequest(body: unknown): FakeRequestInfo {
  const b = isObj(body) ? body : {};
  const isMain = Array.isArray(b.tools) && b.tools.length > 0;
  const messages = Array.isArray(b.messages) ? b.messages : [];
  const lastUser = [...messages].reverse().find((m) => isObj(m) && m.role === 'user') as Block | undefined;
  const info: FakeRequestInfo = { isMain, lastUserText: '', body };
  if (!lastUser) return info;
  info.lastUserText = contentText(lastUser.content, true);
  if (Array.isArray(lastUser.content)) {
    const results = lastUser.content.filter((x): x is Block => isObj(x) && x.type === 'tool_result');
    const last = results[results.length - 1];
    if (last) info.lastToolResult = contentText(last.content, false);
  }
  return info;
}

/**
 * Directives read from the last user text of a main request: [[bash: CMD]], [[read: PATH]], [[write: PATH]],
 * [[ask: QUESTION|OPT1|OPT2...]],
 * [[slow: N]] (N chunks 300 ms apart), [[hang]], [[error: STATUS]]; anything else is acknowledged with
 * `ACK <n> chars: <first 80 chars>`. A tool_result is answered with `tool result: <first 200 chars>`.
 */
export function defaultResponder(req: FakeRequestInfo): FakeTurn {
  if (!req.isMain) return { text: 'Aegis test' };
  if (req.lastToolResult !== undefined) return { text: `tool result: ${req.lastToolResult.slice(0, 200)}` };
  const t = req.lastUserText;
  let m: RegExpMatchArray | null;
  if ((m = t.match(/\[\[bash:\s*([\s\S]*?)\]\]/))) {
    return { toolUse: { name: 'Bash', input: { command: m[1]!.trim(), description: 'run a command' } } };
  }
  if ((m = t.match(/\[\[read:\s*([\s\S]*?)\]\]/))) {
    return { toolUse: { name: 'Read', input: { file_path: m[1]!.trim() } } };
  }
  if ((m = t.match(/\[\[write:\s*([\s\S]*?)\]\]/))) {
    return { toolUse: { name: 'Write', input: { file_path: m[1]!.trim(), content: 'written by the model\n' } } };
  }
  if ((m = t.match(/\[\[ask:\s*([\s\S]*?)\]\]/))) {
    const [question = '', ...labels] = m[1]!.split('|').map((s) => s.trim());
    const options = (labels.length >= 2 ? labels : ['Yes', 'No']).map((label) => ({ label, description: `Pick ${label}` }));
    return { toolUse: { name: 'AskUserQuestion', input: { questions: [{ question, header: 'Question', options, multiSelect: false }] } } };
  }
  if ((m = t.match(/\[\[slow:\s*(\d+)\]\]/))) {
    const n = Math.max(1, Number(m[1]));
    const text = Array.from({ length: n }, (_, i) => `part ${i + 1} of ${n}.`).join(' ');
    return { text, chunks: n, chunkDelayMs: 300 };
  }
  if (/\[\[hang\]\]/.test(t)) return { text: 'This reply was held open and then released.', chunks: 2, hang: true };
  if ((m = t.match(/\[\[error:\s*(\d{3})\]\]/))) {
    const status = Number(m[1]);
    const type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error'
      : status >= 500 ? 'api_error' : status === 401 ? 'authentication_error' : 'invalid_request_error';
    return { error: { status, type, message: `Fake error ${status}` } };
  }
  return { text: `ACK ${t.length} chars: ${t.slice(0, 80)}` };
}

function splitText(text: string, n: number): string[] {
  const chars = [...text];
  const count = Math.max(1, Math.min(n, chars.length || 1));
  const size = Math.ceil(chars.length / count);
  return Array.from({ length: count }, (_, i) => chars.slice(i * size, (i + 1) * size).join('')).filter((s, i) => s || i === 0);
}

let idCounter = 0;
const newId = (prefix: string) => `${prefix}_fake${Date.now().toString(36)}${(++idCounter).toString(36).padStart(6, '0')}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: FakeRequestInfo[] = [];
  const sockets = new Set<Socket>();
  let responder: (req: FakeRequestInfo) => FakeTurn = defaultResponder;
  let waiters: Array<() => void> = [];
  let closed = false;
  const held = () => new Promise<void>((r) => (closed ? r() : waiters.push(r)));
  const releaseAll = () => { const w = waiters; waiters = []; w.forEach((r) => r()); };

  const json = (res: ServerResponse, status: number, value: unknown) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req') });
    res.end(JSON.stringify(value));
  };

  async function answerMessages(res: ServerResponse, raw: string) {
    let body: unknown;
    try { body = JSON.parse(raw); } catch {
      return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'Body is not JSON' } });
    }
    const info = describeRequest(body);
    requests.push(info);
    let turn: FakeTurn;
    try { turn = responder(info); } catch (e) { turn = { text: `Fake responder threw: ${String(e)}` }; }
    if (turn.error) {
      const { status, type, message } = turn.error;
      return json(res, status, { type: 'error', error: { type, message } });
    }
    const model = isObj(body) && typeof body.model === 'string' ? body.model : 'claude-fake';
    const usage = turn.usage ?? { input_tokens: 10, output_tokens: Math.max(1, Math.ceil((turn.text ?? '').length / 4)) };
    const toolId = newId('toolu');
    const content: Block[] = [];
    if (turn.text !== undefined) content.push({ type: 'text', text: turn.text });
    if (turn.toolUse) content.push({ type: 'tool_use', id: toolId, name: turn.toolUse.name, input: turn.toolUse.input });
    if (content.length === 0) content.push({ type: 'text', text: '' });
    const stopReason = turn.toolUse ? 'tool_use' : 'end_turn';
    const message = { id: newId('msg'), type: 'message', role: 'assistant', model, stop_sequence: null };

    if (!(isObj(body) && body.stream === true)) {
      return json(res, 200, { ...message, content, stop_reason: stopReason, usage });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': newId('req') });
    const delay = turn.chunkDelayMs ?? 0;
    let sentDeltas = 0;
    const send = async (event: string, data: Block) => {
      if (res.destroyed || res.writableEnded) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
      if (event === 'content_block_delta') {
        sentDeltas++;
        if (turn.hang && sentDeltas === 1) await held();
        else if (delay > 0) await sleep(delay);
      }
    };
    await send('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
    for (const [index, block] of content.entries()) {
      if (block.type === 'text') {
        await send('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const text of splitText(block.text as string, turn.chunks ?? 1)) {
          await send('content_block_delta', { index, delta: { type: 'text_delta', text } });
        }
      } else {
        await send('content_block_start', { index, content_block: { ...block, input: {} } });
        await send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
      }
      await send('content_block_stop', { index });
    }
    await send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    await send('message_stop', {});
    if (!res.destroyed) res.end();
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const raw = Buffer.concat(chunks).toString('utf8');
      const done = req.method === 'POST' && path === '/v1/messages' ? answerMessages(res, raw)
        : req.method === 'POST' && path === '/v1/messages/count_tokens' ? Promise.resolve(json(res, 200, { input_tokens: 10 }))
        : Promise.resolve(json(res, 200, {}));
      done.catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('clientError', (_err, socket) => socket.destroy());

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        setResponder: (fn) => { responder = fn ?? defaultResponder; },
        release: releaseAll,
        close: () => new Promise<void>((r) => {
          closed = true;
          releaseAll();
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}
