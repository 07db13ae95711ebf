// A fake of the Anthropic Messages API for tests: enough of POST /v1/messages (streaming SSE and plain
// JSON) for the real Claude Code binary to hold a conversation with it, with the errors, usage and turn
// shapes of the real API. Scripted turns (`enqueue`, `failNext`) come before the responder; the default
// responder reads directives from the prompt (fake-directives.ts). Every HTTP call is logged in `calls`.
// Only node:http is used.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { defaultResponder, describeRequest, type FakeRequestInfo } from './fake-directives.js';
import {
  contentBlocks, errorBody, messageObject, statusOfErrorType, streamEvents, type FakeHttpError, type FakeTurn, type SseEvent,
} from './fake-turn.js';

export { defaultResponder, describeRequest, type FakeRequestInfo } from './fake-directives.js';
export { fakeFailures, type FailureOptions, type FakeHttpError, type FakeStopReason, type FakeToolUse, type FakeTurn, type FakeUsage } from './fake-turn.js';

/** One HTTP request the fake received, of any path, with the status it answered. */
export interface FakeCall {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  status: number;
}

export interface FakeAnthropic {
  url: string; // http://127.0.0.1:<port>
  requests: FakeRequestInfo[]; // every /v1/messages request seen, in order
  calls: FakeCall[]; // every HTTP request seen, of any path (API keys redacted), in order
  setResponder(fn: ((req: FakeRequestInfo) => FakeTurn) | null): void; // null = defaultResponder
  /** The next main requests (those with tools) get these turns, in order, before the responder is asked. */
  enqueue(...turns: FakeTurn[]): void;
  /** Like enqueue, for the main requests of one Claude session only (by its session id). */
  enqueueFor(sessionId: string, ...turns: FakeTurn[]): void;
  /** The next `count` main requests (of one session, if given) fail with this error or turn; then the responder answers again. */
  failNext(count: number, failure: FakeHttpError | FakeTurn, sessionId?: string): void;
  /** Scripted turns not yet used. */
  pending(): number;
  holding(): number; // streams held open right now by `hang`
  release(): void; // finish every hanging stream
  close(): Promise<void>; // close the server and every open connection
}

let idCounter = 0;
const newId = (prefix: string) => `${prefix}_fake${Date.now().toString(36)}${(++idCounter).toString(36).padStart(6, '0')}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const SECRET_HEADERS = new Set(['x-api-key', 'authorization']);
function loggedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = SECRET_HEADERS.has(name) ? '[redacted]' : String(value);
  }
  return headers;
}

export function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: FakeRequestInfo[] = [];
  const calls: FakeCall[] = [];
  const sockets = new Set<Socket>();
  const script: Array<{ turn: FakeTurn; sessionId?: string }> = [];
  let responder: (req: FakeRequestInfo) => FakeTurn = defaultResponder;
  let waiters: Array<() => void> = [];
  let closed = false;
  const held = () => new Promise<void>((r) => (closed ? r() : waiters.push(r)));
  const releaseAll = () => { const w = waiters; waiters = []; w.forEach((r) => r()); };

  const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers });
    res.end(JSON.stringify(value));
  };
  const apiError = (res: ServerResponse, { status, type, message, headers }: FakeHttpError) =>
    json(res, status, errorBody(type, message, newId('req')), headers);

  function nextTurn(info: FakeRequestInfo): FakeTurn {
    const scripted = info.isMain ? script.findIndex((s) => s.sessionId === undefined || s.sessionId === info.sessionId) : -1;
    if (scripted >= 0) return script.splice(scripted, 1)[0]!.turn;
    try { return responder(info); } catch (e) { return { text: `Fake responder threw: ${String(e)}` }; }
  }

  async function answerMessages(res: ServerResponse, raw: string, sessionHeader: string | undefined) {
    let body: unknown;
    try { body = JSON.parse(raw); } catch {
      return apiError(res, { status: 400, type: 'invalid_request_error', message: 'Body is not JSON' });
    }
    const info = describeRequest(body, sessionHeader);
    requests.push(info);
    const turn = nextTurn(info);
    if (turn.error) return apiError(res, turn.error);
    const base = { id: newId('msg'), type: 'message', role: 'assistant', model: info.model, stop_sequence: null };
    const content = contentBlocks(turn, () => newId('toolu'));

    if (!info.stream) {
      if (turn.dropAfterDeltas !== undefined) return void res.destroy();
      if (turn.streamError) return apiError(res, { status: statusOfErrorType(turn.streamError.type), ...turn.streamError });
      return json(res, 200, messageObject(turn, base, content));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': newId('req') });
    await writeStream(res, turn, streamEvents(turn, base, content));
  }

  /** Writes the events with the turn's pacing; a hang, a stream error or a drop interrupts them. */
  async function writeStream(res: ServerResponse, turn: FakeTurn, events: SseEvent[]) {
    // Resolves once the event is handed to the socket, so a drop that follows loses nothing before it.
    const write = (e: SseEvent) => new Promise<void>((resolve) => {
      res.write(`event: ${e.event}\ndata: ${JSON.stringify({ type: e.event, ...e.data })}\n\n`, () => resolve());
    });
    let deltas = 0;
    for (const e of events) {
      if (res.destroyed || res.writableEnded) return;
      await write(e);
      if (e.event !== 'message_start' && e.event !== 'content_block_delta') continue;
      if (e.event === 'content_block_delta') deltas++;
      if (turn.dropAfterDeltas === deltas) return void res.destroy();
      if (turn.streamError && (turn.streamError.afterDeltas ?? 1) === deltas) {
        await write({ event: 'error', data: { error: { type: turn.streamError.type, message: turn.streamError.message }, request_id: newId('req') } });
        return void res.end();
      }
      if (e.event !== 'content_block_delta') continue;
      if (turn.hang && deltas === 1) await held();
      else if (turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
    }
    if (!res.destroyed) res.end();
  }

  function route(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> | void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/v1/messages') {
      const session = req.headers['x-claude-code-session-id'];
      return answerMessages(res, raw, typeof session === 'string' ? session : undefined);
    }
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      let size = raw.length;
      try { const b = JSON.parse(raw); size = JSON.stringify([b.system ?? '', b.messages ?? [], b.tools ?? []]).length; } catch { /* count the raw body */ }
      return json(res, 200, { input_tokens: Math.max(1, Math.ceil(size / 4)) });
    }
    if ((req.method === 'HEAD' || req.method === 'GET') && path === '/api/hello') {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': newId('req') });
      return void res.end(req.method === 'GET' ? '{}' : undefined);
    }
    return apiError(res, { status: 404, type: 'not_found_error', message: `Not Found: ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const call: FakeCall = { method: req.method ?? '', path, query, headers: loggedHeaders(req), status: 0 };
    calls.push(call);
    res.on('close', () => { call.status = res.headersSent ? res.statusCode : 0; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      Promise.resolve(route(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => res.destroy());
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
        calls,
        setResponder: (fn) => { responder = fn ?? defaultResponder; },
        enqueue: (...turns) => { script.push(...turns.map((turn) => ({ turn }))); },
        enqueueFor: (sessionId, ...turns) => { script.push(...turns.map((turn) => ({ turn, sessionId }))); },
        failNext: (count, failure, sessionId) => {
          const turn: FakeTurn = 'status' in failure ? { error: failure } : failure;
          for (let i = 0; i < count; i++) script.push({ turn, ...(sessionId ? { sessionId } : {}) });
        },
        pending: () => script.length,
        holding: () => waiters.length,
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
