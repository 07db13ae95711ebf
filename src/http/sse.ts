/**
 * Server-Sent Events: replays what a reconnecting client missed (Last-Event-ID), then follows the
 * bus. One timer for all connections sends keep-alive comments; a client that stops reading is
 * dropped once its backlog passes a bound (it reconnects and replays). Each stream is counted against
 * the API key that opened it (a key may hold `maxStreamsPerKey` at once) and ends when that key is
 * revoked or its credentials expire. Closing the hub ends every stream with a retry hint.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { AegisError } from '../errors.js';
import type { AegisEvent, EventBus } from '../events/event-bus.js';

export interface SseOptions {
  keepAliveMs: number;
  /** Bytes a slow client may have pending before it is disconnected. */
  maxBacklogBytes: number;
  /** Reconnect delay suggested to clients. */
  retryMs: number;
  /** Streams one API key may hold open at once. */
  maxStreamsPerKey: number;
}

export const DEFAULT_SSE_OPTIONS: SseOptions = { keepAliveMs: 10_000, maxBacklogBytes: 4 * 1024 * 1024, retryMs: 2000, maxStreamsPerKey: 10 };

/** The last event formatted: the bus hands one event to every stream in turn, each would format it again. */
let lastFormatted: { event: AegisEvent; text: string } | null = null;

export function formatEvent(event: AegisEvent): string {
  if (lastFormatted?.event === event) return lastFormatted.text;
  // Event names and ids come from our own enum and counter; JSON never holds a raw line break.
  const text = `id: ${event.id}\nevent: ${event.type}\ndata: ${eventData(event)}\n\n`;
  lastFormatted = { event, text };
  return text;
}

/** Events that carry one object of the API (a Permission, a question, a transcript entry), and where its id is. */
const OBJECT_IDS: Partial<Record<AegisEvent['type'], string>> = { permission_request: 'permissionId', question: 'questionId', message: 'messageId' };

/**
 * The event as JSON: its fields, `eventId` (the number of its `id:` line), and as `id` the id of the
 * object it carries (the Permission of a `permission_request` is the event's data, as a client
 * approving it reads it), or else the event's own. One whose fields cannot be serialised still
 * arrives, as a stand-in saying so.
 */
function eventData(event: AegisEvent): string {
  const idField = OBJECT_IDS[event.type];
  const objectId = idField === undefined ? undefined : event[idField];
  try {
    return JSON.stringify({ ...event, id: typeof objectId === 'string' ? objectId : event.id, eventId: event.id });
  } catch {
    const { id, type, sessionId, at } = event;
    return JSON.stringify({ id, eventId: id, type, sessionId, at, error: { code: 'INTERNAL', message: 'this event cannot be shown: its fields cannot be serialised' } });
  }
}

/** The query parameters a client that cannot send the Last-Event-ID header names it with (the event routes declare them). */
export const LAST_EVENT_ID_QUERY_NAMES = ['lastEventId', 'Last-Event-ID', 'last-event-id', 'last_event_id'] as const;

/** Who opened a stream: the API key it counts against (null: the master token or the open mode) and when its credentials end. */
export interface StreamCaller {
  keyId: string | null;
  validUntil?: number;
  /** The dashboard login it came with, if it did: its logout ends the stream. */
  webSession?: string;
}

const ANONYMOUS: StreamCaller = { keyId: null };

/** What a feed writes to its stream (SseHub.openFeed). */
export interface FeedStream {
  /** Writes one event; false when the client is behind (more is buffered than the socket takes at once). */
  send(type: string, data: unknown): boolean;
  onDrain(listener: () => void): void;
  end(): void;
}

/** Calls `end` at `at`, also past the longest delay a timer takes (about 24.8 days), through `timer`. */
function endAt(at: number, end: () => void): { timer: NodeJS.Timeout } {
  const handle = { timer: undefined as unknown as NodeJS.Timeout };
  const arm = () => {
    const wait = at - Date.now();
    if (wait <= 0) return end();
    handle.timer = setTimeout(arm, Math.min(wait, 2 ** 31 - 1));
    handle.timer.unref();
  };
  arm();
  return handle;
}

export class SseHub {
  /** Each open stream, with the API key that opened it (null: the master token or the open mode). */
  private readonly streams = new Map<ServerResponse, StreamCaller>();
  private keepAlive: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly bus: EventBus,
    private readonly options: SseOptions = DEFAULT_SSE_OPTIONS,
  ) {}

  get connectionCount(): number {
    return this.streams.size;
  }

  /**
   * Takes over the response and streams events that pass `filter`, until the caller's credentials
   * expire (`validUntil`) or an event that passes `last` was sent (its subject is gone); `429` when
   * `keyId` holds its maximum of streams.
   */
  open(request: FastifyRequest, reply: FastifyReply, filter: (event: AegisEvent) => boolean, caller: StreamCaller = ANONYMOUS, last: (event: AegisEvent) => boolean = () => false): void {
    const res = this.begin(reply, caller);
    if (!res) return;

    const lastId = lastEventId(request);
    if (lastId !== null) {
      const { events, complete } = this.bus.since(lastId);
      if (!complete) res.write(`: some events after ${lastId} are no longer in the replay buffer\n\n`);
      const ending = events.find((event) => filter(event) && last(event));
      for (const event of events) {
        if (!filter(event) || event.id > (ending?.id ?? Infinity)) continue;
        res.write(formatEvent(event));
        // A replay larger than a client may have pending ends there: it reconnects from the last event it got.
        if (res.writableLength > this.options.maxBacklogBytes && event !== ending) {
          res.end(': the replay goes on when the client reconnects with Last-Event-ID\n\n');
          return;
        }
      }
      if (ending) {
        res.end();
        return;
      }
    }

    const unsubscribe = this.bus.subscribe((event) => {
      if (!filter(event)) return;
      if (res.writableLength > this.options.maxBacklogBytes) {
        request.log.warn({ backlog: res.writableLength }, 'dropping an SSE client that stopped reading');
        res.destroy();
        return;
      }
      res.write(formatEvent(event));
      if (last(event)) res.end();
    });
    this.track(res, caller, unsubscribe);
  }

  /**
   * A stream fed by something else than the bus (a session's terminal), with the same headers,
   * keep-alives, per-key count, expiry and revocation as the others. `start` begins feeding it and
   * returns what stops the feed; events carry no id (there is nothing to replay). The feed watches its
   * client's backlog itself: `send` answers false once the client is behind, and `onDrain` tells when
   * it has caught up.
   */
  openFeed(reply: FastifyReply, caller: StreamCaller, start: (stream: FeedStream) => () => void): void {
    const res = this.begin(reply, caller);
    if (!res) return;
    const stream: FeedStream = {
      send: (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`),
      onDrain: (listener) => res.on('drain', listener),
      end: () => res.end(),
    };
    this.track(res, caller, start(stream));
  }

  /** Counts the stream against its key and takes over the response with the stream's headers; null when the hub is closed. */
  private begin(reply: FastifyReply, { keyId }: StreamCaller): ServerResponse | null {
    if (keyId !== null && this.streamsOf(keyId) >= this.options.maxStreamsPerKey) {
      throw new AegisError('RATE_LIMITED', `this key already holds ${this.options.maxStreamsPerKey} event streams; close one first`, {
        maxStreamsPerKey: this.options.maxStreamsPerKey,
        retryAfterSeconds: Math.ceil(this.options.retryMs / 1000),
      });
    }
    reply.hijack();
    const res = reply.raw;
    // The reply's headers (security-headers.ts) go out with the stream's own, which fastify no longer sends.
    const headers = reply.getHeaders() as OutgoingHttpHeaders;
    if (this.closed) {
      res.writeHead(503, { ...headers, 'retry-after': '2' }).end();
      return null;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.options.retryMs}\n: connected\n\n`);
    return res;
  }

  /** Keeps the stream alive, ends it when its credentials do, and cleans up after it when it closes. */
  private track(res: ServerResponse, caller: StreamCaller, stop: () => void): void {
    this.streams.set(res, caller);
    this.startKeepAlive();
    const expiry = caller.validUntil === undefined ? null : endAt(caller.validUntil, () => res.end(': the credentials of this stream expired\n\n'));
    let cleaned = false;
    const cleanup = () => {
      if (cleaned) return;
      cleaned = true;
      if (expiry) clearTimeout(expiry.timer);
      stop();
      this.streams.delete(res);
      if (this.streams.size === 0) this.stopKeepAlive();
    };
    res.on('close', cleanup);
    res.on('error', cleanup);
  }

  /** Ends the streams a key opened (it was revoked): its clients must not hear one more event. */
  closeStreamsOf(keyId: string): void {
    for (const [res, owner] of this.streams) if (owner.keyId === keyId) res.destroy();
  }

  /** Ends the streams a dashboard login opened (it logged out). */
  closeStreamsOfLogin(webSession: string): void {
    for (const [res, owner] of this.streams) if (owner.webSession === webSession) res.destroy();
  }

  private streamsOf(keyId: string): number {
    let count = 0;
    for (const owner of this.streams.values()) if (owner.keyId === keyId) count++;
    return count;
  }

  /** Ends every stream, telling clients when to come back. */
  close(): void {
    this.closed = true;
    for (const res of this.streams.keys()) {
      res.end(`retry: ${this.options.retryMs}\n: server shutting down\n\n`);
    }
    this.streams.clear();
    this.stopKeepAlive();
  }

  private startKeepAlive(): void {
    if (this.keepAlive) return;
    this.keepAlive = setInterval(() => {
      for (const res of this.streams.keys()) res.write(': keep-alive\n\n');
    }, this.options.keepAliveMs);
    this.keepAlive.unref();
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
  }
}

function lastEventId(request: FastifyRequest): number | null {
  const header = request.headers['last-event-id'];
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = LAST_EVENT_ID_QUERY_NAMES.map((name) => query?.[name]).find((value) => typeof value === 'string') as string | undefined;
  const raw = (Array.isArray(header) ? header[0] : header) ?? fromQuery;
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}
