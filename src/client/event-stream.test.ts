import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait-for.js';
import { AegisClient } from './client.js';
import { ApiError, DaemonUnreachableError } from './errors.js';
import { followEvents, STOP } from './event-stream.js';
import type { AegisEvent } from './types.js';

const FAST = { initialMs: 10, maxMs: 50 };

/** A stand-in SSE server: each connection is handed to the next handler in `rounds`. */
async function sseServer(rounds: ((req: IncomingMessage, res: ServerResponse) => void)[]): Promise<{ server: Server; url: string; seen: IncomingMessage['headers'][] }> {
  const seen: IncomingMessage['headers'][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const round = rounds.shift();
    if (round) round(req, res);
    else res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': idle\n\n');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  servers.push({ server, sockets });
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const servers: { server: Server; sockets: Set<Socket> }[] = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    sockets.forEach((s) => s.destroy());
    await new Promise((closed) => server.close(closed));
  }
});

const event = (id: number) => `id: ${id}\nevent: status_changed\ndata: ${JSON.stringify({ id, type: 'status_changed', sessionId: 's1', at: '2026-01-01T00:00:00Z' })}\n\n`;
const open = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });

describe('followEvents', () => {
  it('reconnects after the stream ends, sending the last event id it saw', async () => {
    const { url, seen } = await sseServer([(_req, res) => open(res).end(event(5)), (_req, res) => open(res).write(event(6))]);
    const ids: number[] = [];
    const disconnects: string[] = [];
    await followEvents({
      client: new AegisClient({ baseUrl: url }),
      path: '/v1/events',
      signal: new AbortController().signal,
      backoff: FAST,
      onEvent: (e: AegisEvent) => (ids.push(e.id), ids.length === 2 ? STOP : undefined),
      onDisconnected: ({ reason }) => disconnects.push(reason),
    });
    expect(ids).toEqual([5, 6]);
    expect(seen.map((h) => h['last-event-id'])).toEqual([undefined, '5']);
    expect(disconnects).toEqual(['the daemon closed the stream']);
  });

  it('drops a stream that stays silent and opens a new one', async () => {
    const { url } = await sseServer([(_req, res) => open(res).write(': connected\n\n'), (_req, res) => open(res).write(event(1))]);
    const disconnects: string[] = [];
    const reconnects: boolean[] = [];
    await followEvents({
      client: new AegisClient({ baseUrl: url }),
      path: '/v1/events',
      signal: new AbortController().signal,
      backoff: FAST,
      silenceLimitMs: 100,
      onConnected: ({ reconnect }) => void reconnects.push(reconnect),
      onEvent: () => STOP,
      onDisconnected: ({ reason }) => disconnects.push(reason),
    });
    expect(reconnects).toEqual([false, true]);
    expect(disconnects).toEqual(['nothing heard for 0.1s']);
  });

  it('stops quietly when its signal is aborted', async () => {
    const { url, seen } = await sseServer([]);
    const interrupt = new AbortController();
    const following = followEvents({ client: new AegisClient({ baseUrl: url }), path: '/v1/events', signal: interrupt.signal, onEvent: () => undefined });
    await waitFor(() => seen.length === 1, { what: 'the stream to open' });
    interrupt.abort();
    await expect(following).resolves.toBeUndefined();
  });

  it('fails at once when the first connection is refused or answered with an error', async () => {
    const { url, server } = await sseServer([(_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"SESSION_NOT_FOUND","message":"no session x"}}')]);
    const follow = () => followEvents({ client: new AegisClient({ baseUrl: url }), path: '/v1/sessions/x/events', signal: new AbortController().signal, onEvent: () => undefined });
    await expect(follow()).rejects.toSatisfy((err) => err instanceof ApiError && err.code === 'SESSION_NOT_FOUND');
    await new Promise((closed) => server.close(closed));
    await expect(follow()).rejects.toBeInstanceOf(DaemonUnreachableError);
  });
});
