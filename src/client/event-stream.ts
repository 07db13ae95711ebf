/**
 * Follows an SSE route of the daemon (`/v1/events`, `/v1/sessions/:id/events`) with fetch and
 * eventsource-parser. Once connected it never gives up on its own: when the stream ends or the daemon
 * goes away it reconnects with `Last-Event-ID` after a bounded, doubling delay, so nothing still in the
 * daemon's replay buffer is missed. Only the first connection fails loudly (the caller should learn
 * at once that nothing answers), and so does any 4xx (a bad token or an unknown session will not get
 * better by retrying).
 */
import { createParser } from 'eventsource-parser';
import type { AegisClient } from './client.js';
import { ApiError, DaemonUnreachableError, apiErrorFrom, networkReason } from './errors.js';
import type { AegisEvent } from './types.js';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 15_000 };

/**
 * The daemon writes at least a keep-alive comment every 15 s; a stream silent for much longer sits on
 * a connection that died without closing (a host that vanished), so it is dropped and reopened.
 */
export const SILENCE_LIMIT_MS = 45_000;

/** What a callback returns to end the stream; anything else keeps following. */
export const STOP = Symbol('stop');
type Verdict = typeof STOP | void;

export interface FollowOptions {
  client: AegisClient;
  path: string;
  /** Replay events after this id on the first connection too (later ones use the last id seen). */
  lastEventId?: string | undefined;
  signal: AbortSignal;
  onConnected?: (info: { reconnect: boolean }) => Verdict;
  onEvent: (event: AegisEvent) => Verdict;
  onDisconnected?: (info: { reason: string; retryInMs: number }) => void;
  backoff?: Backoff;
  silenceLimitMs?: number;
}

export async function followEvents(options: FollowOptions): Promise<void> {
  const { client, path, signal, backoff = DEFAULT_BACKOFF, silenceLimitMs = SILENCE_LIMIT_MS } = options;
  let lastEventId = options.lastEventId;
  let serverRetryMs: number | null = null;
  let everConnected = false;
  let failures = 0;

  while (!signal.aborted) {
    const stream = new AbortController();
    const stopStream = () => stream.abort();
    signal.addEventListener('abort', stopStream, { once: true });
    let reason: string;
    let stopped = false;
    let silent = false;
    let watchdog: NodeJS.Timeout | undefined;
    const heardFrom = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        silent = true;
        stream.abort();
      }, silenceLimitMs);
    };
    try {
      const response = await open(client, path, lastEventId, stream.signal);
      if (response.status >= 400 && (response.status < 500 || !everConnected)) {
        throw apiErrorFrom(response.status, response.statusText, await response.text());
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        reason = `the daemon answered ${response.status}`;
      } else {
        const reconnect = everConnected;
        everConnected = true;
        failures = 0;
        if (options.onConnected?.({ reconnect }) === STOP) return;
        const parser = createParser({
          onRetry: (ms) => {
            serverRetryMs = ms;
          },
          onEvent: (message) => {
            if (stopped) return;
            if (message.id) lastEventId = message.id;
            const event = decode(message.data);
            if (event && options.onEvent(event) === STOP) {
              stopped = true;
              stream.abort();
            }
          },
        });
        heardFrom();
        reason = await pump(response.body, (chunk) => {
          heardFrom();
          parser.feed(chunk);
        });
        if (stopped) return;
      }
    } catch (err) {
      if (signal.aborted || stopped) return;
      if (err instanceof ApiError) throw err;
      if (!everConnected) throw new DaemonUnreachableError(client.baseUrl, networkReason(err));
      reason = silent ? `nothing heard for ${silenceLimitMs / 1000}s` : networkReason(err);
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', stopStream);
      stream.abort(); // releases the connection whatever ended this round
    }
    if (signal.aborted) return;
    const retryInMs = Math.min(backoff.maxMs, (serverRetryMs ?? backoff.initialMs) * 2 ** failures);
    failures++;
    options.onDisconnected?.({ reason, retryInMs });
    await delay(retryInMs, signal);
  }
}

function open(client: AegisClient, path: string, lastEventId: string | undefined, signal: AbortSignal): Promise<Response> {
  const extra: Record<string, string> = { accept: 'text/event-stream' };
  if (lastEventId !== undefined) extra['last-event-id'] = lastEventId;
  return fetch(client.url(path), { headers: client.headers(extra), signal });
}

/** Feeds the body to `feed` until it ends; says why it ended. A read error is thrown to the caller. */
async function pump(body: ReadableStream<Uint8Array>, feed: (chunk: string) => void): Promise<string> {
  const decoder = new TextDecoder();
  for await (const chunk of body) feed(decoder.decode(chunk, { stream: true }));
  return 'the daemon closed the stream';
}

function decode(data: string): AegisEvent | null {
  try {
    const value = JSON.parse(data) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as AegisEvent).type === 'string' ? (value as AegisEvent) : null;
  } catch {
    return null; // a keep-alive or a line we do not understand: nothing to show
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
