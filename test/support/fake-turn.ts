/**
 * What one scripted reply of the fake Messages API looks like (`FakeTurn`), and how it becomes the
 * exact events the real API streams, or the message object it returns without streaming. Pure: the
 * server in fake-anthropic.ts decides timing, hangs, mid-stream errors and dropped connections.
 */

export interface FakeToolUse {
  name: string;
  input: Record<string, unknown>;
}

/** Token counts as the API reports them; the cache fields and service tier default to 0 and "standard". */
export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  service_tier?: string;
}

/** An HTTP error answer: Anthropic's `{"type":"error","error":{type,message},"request_id"}` with extra headers. */
export interface FakeHttpError {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

export type FakeStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal' | 'stop_sequence' | 'pause_turn';

export interface FakeTurn {
  text?: string; // assistant text reply
  toolUse?: FakeToolUse; // a tool_use block (stop_reason "tool_use")
  toolUses?: FakeToolUse[]; // several tool_use blocks in one message, after toolUse if both are given
  thinking?: string; // a thinking block first, streamed as thinking_delta pieces and one signature_delta
  chunks?: number; // split the text (and thinking) into this many deltas (default 1)
  inputChunks?: number; // split each tool input's JSON into this many input_json_delta pieces (default 1)
  chunkDelayMs?: number; // delay between streamed deltas (default 0)
  pings?: number; // ping events: one after message_start (default), plus one before each further block up to this many
  stopReason?: FakeStopReason; // default: tool_use when there are tool uses, else end_turn
  hang?: boolean; // send message_start and one delta, then hold the stream until release() or close()
  error?: FakeHttpError; // answer with an HTTP error instead
  streamError?: { type: string; message: string; afterDeltas?: number }; // `event: error` after N deltas (default 1), then end
  dropAfterDeltas?: number; // destroy the connection after N deltas, with no error and no message_stop
  usage?: FakeUsage;
  /**
   * Counts message_start reports instead, where they differ from the final ones (the real API already
   * reports the final input and cache counts there, and 1 output token).
   */
  startUsage?: Partial<FakeUsage>;
}

export interface FailureOptions {
  /** Sent as `retry-after` (seconds). Claude Code waits at least this long, and never less than its own backoff. */
  retryAfterSeconds?: number;
  /** Sent as `x-should-retry: false`: Claude Code then gives up at once, with no retry, whatever the status. */
  noRetry?: boolean;
}

const failureHeaders = ({ retryAfterSeconds, noRetry }: FailureOptions): Record<string, string> => ({
  ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
  ...(noRetry ? { 'x-should-retry': 'false' } : {}),
});
const httpFailure = (status: number, type: string, message: string, options: FailureOptions): FakeTurn => ({
  error: { status, type, message, headers: failureHeaders(options) },
});

/** Failures as the real API sends them (its error types and messages), ready for `enqueue` or `failNext`. */
export const fakeFailures = {
  rateLimited: (options: FailureOptions = {}) =>
    httpFailure(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { retryAfterSeconds: 1, ...options }),
  unauthorized: (options: FailureOptions = {}) => httpFailure(401, 'authentication_error', 'invalid x-api-key', options),
  internal: (options: FailureOptions = {}) => httpFailure(500, 'api_error', 'Internal server error', options),
  overloaded: (options: FailureOptions = {}) => httpFailure(529, 'overloaded_error', 'Overloaded', options),
  /** Streams part of a reply, then `event: error` (overloaded) instead of the rest. */
  errorMidStream: (text = 'This reply breaks off after the second piece.'): FakeTurn => ({
    text, chunks: 4, streamError: { type: 'overloaded_error', message: 'Overloaded', afterDeltas: 2 },
  }),
  /** Streams part of a reply, then the connection drops (no error event, no message_stop). */
  droppedMidStream: (text = 'This reply loses its connection after the second piece.'): FakeTurn => ({ text, chunks: 4, dropAfterDeltas: 2 }),
};

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

type Block = Record<string, unknown>;

/** Anthropic's error body. */
export function errorBody(type: string, message: string, requestId: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

/** The HTTP status the API uses for an error type (for a stream error turned into a plain answer). */
export function statusOfErrorType(type: string): number {
  const statuses: Record<string, number> = {
    invalid_request_error: 400, authentication_error: 401, billing_error: 402, permission_error: 403,
    not_found_error: 404, request_too_large: 413, rate_limit_error: 429, timeout_error: 504, overloaded_error: 529,
  };
  return statuses[type] ?? 500;
}

/** The error type the API uses for an HTTP status. */
export function errorTypeOfStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** The usage object of `message_start` (output so far: 1 token) and the final, cumulative one. */
export function fullUsage(turn: FakeTurn): { start: Block; final: Block } {
  const u = turn.usage ?? { input_tokens: 10, output_tokens: Math.max(1, Math.ceil(((turn.thinking ?? '') + (turn.text ?? '')).length / 4)) };
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const counts = { input_tokens: u.input_tokens, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead };
  const s = turn.startUsage ?? {};
  const startWrite = s.cache_creation_input_tokens ?? cacheWrite;
  const start = {
    input_tokens: s.input_tokens ?? u.input_tokens,
    cache_creation_input_tokens: startWrite,
    cache_read_input_tokens: s.cache_read_input_tokens ?? cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: startWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: s.output_tokens ?? Math.min(1, u.output_tokens),
    service_tier: s.service_tier ?? u.service_tier ?? 'standard',
  };
  return { start, final: { ...counts, output_tokens: u.output_tokens } };
}

/** A signature as opaque as the API's (base64), derived from the thinking text so tests can compare it. */
export function thinkingSignature(thinking: string): string {
  return Buffer.from(`fake-signature:${thinking.length}:${thinking.slice(0, 32)}`).toString('base64');
}

/** The content blocks of a turn, in order: thinking, text, tool uses (ids assigned by `newId`). */
export function contentBlocks(turn: FakeTurn, newId: () => string): Block[] {
  const blocks: Block[] = [];
  if (turn.thinking !== undefined) blocks.push({ type: 'thinking', thinking: turn.thinking, signature: thinkingSignature(turn.thinking) });
  if (turn.text !== undefined) blocks.push({ type: 'text', text: turn.text });
  for (const tool of [...(turn.toolUse ? [turn.toolUse] : []), ...(turn.toolUses ?? [])]) {
    blocks.push({ type: 'tool_use', id: newId(), name: tool.name, input: tool.input });
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
  return blocks;
}

export function stopReasonOf(turn: FakeTurn): FakeStopReason {
  return turn.stopReason ?? (turn.toolUse || turn.toolUses?.length ? 'tool_use' : 'end_turn');
}

/** Splits text into at most n pieces of nearly equal length (at least one piece, maybe empty). */
export function splitText(text: string, n: number): string[] {
  const chars = [...text];
  const count = Math.max(1, Math.min(n, chars.length || 1));
  const size = Math.ceil(chars.length / count);
  return Array.from({ length: count }, (_, i) => chars.slice(i * size, (i + 1) * size).join('')).filter((s, i) => s || i === 0);
}

/** The whole message object, as a non-streaming answer carries it. */
export function messageObject(turn: FakeTurn, base: Block, content: Block[]): Block {
  const { start, final } = fullUsage({ ...turn, startUsage: {} });
  return { ...base, content, stop_reason: stopReasonOf(turn), usage: { ...start, output_tokens: final.output_tokens } };
}

/**
 * Every event of a complete stream, as the API sends them: message_start, ping, then per block
 * content_block_start / deltas / content_block_stop, message_delta with the stop reason and the
 * cumulative usage, message_stop.
 */
export function streamEvents(turn: FakeTurn, base: Block, content: Block[]): SseEvent[] {
  const usage = fullUsage(turn);
  const pings = Math.max(1, turn.pings ?? 1);
  let pingsSent = 0;
  const ping = (): SseEvent[] => (pingsSent < pings ? (pingsSent++, [{ event: 'ping', data: {} }]) : []);
  const events: SseEvent[] = [
    { event: 'message_start', data: { message: { ...base, content: [], stop_reason: null, usage: usage.start } } },
    ...ping(),
  ];
  content.forEach((block, index) => {
    if (index > 0) events.push(...ping());
    const delta = (d: Block): SseEvent => ({ event: 'content_block_delta', data: { index, delta: d } });
    if (block.type === 'thinking') {
      events.push({ event: 'content_block_start', data: { index, content_block: { type: 'thinking', thinking: '', signature: '' } } });
      for (const thinking of splitText(block.thinking as string, turn.chunks ?? 1)) events.push(delta({ type: 'thinking_delta', thinking }));
      events.push(delta({ type: 'signature_delta', signature: block.signature }));
    } else if (block.type === 'text') {
      events.push({ event: 'content_block_start', data: { index, content_block: { type: 'text', text: '' } } });
      for (const text of splitText(block.text as string, turn.chunks ?? 1)) events.push(delta({ type: 'text_delta', text }));
    } else {
      events.push({ event: 'content_block_start', data: { index, content_block: { ...block, input: {} } } });
      for (const partial_json of splitText(JSON.stringify(block.input), turn.inputChunks ?? 1)) events.push(delta({ type: 'input_json_delta', partial_json }));
    }
    events.push({ event: 'content_block_stop', data: { index } });
  });
  events.push({ event: 'message_delta', data: { delta: { stop_reason: stopReasonOf(turn), stop_sequence: null }, usage: usage.final } });
  events.push({ event: 'message_stop', data: {} });
  return events;
}
