import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { EventBus, type AegisEvent } from '../events/event-bus.js';
import { DEFAULT_SSE_OPTIONS, formatEvent, SseHub } from './sse.js';

describe('formatEvent', () => {
  it('writes one event as id, event and a JSON data line', () => {
    const event: AegisEvent = { id: 7, type: 'stalled', sessionId: 's', at: 'now', silentMs: 1 };
    expect(formatEvent(event)).toBe(`id: 7\nevent: stalled\ndata: ${JSON.stringify({ ...event, eventId: 7 })}\n\n`);
  });

  it("gives an event that carries an object that object's id as data.id, and the event's own as eventId", () => {
    const data = (event: AegisEvent) => JSON.parse(/^data: (.*)$/m.exec(formatEvent(event))![1]!) as Record<string, unknown>;
    const permission = { id: 'perm-1', sessionId: 's', toolName: 'Bash', toolInput: { command: 'ls' }, suggestions: [], source: 'hook', createdAt: 'then', expiresAt: 'later' };
    const { id: _permissionId, ...permissionFields } = permission;
    // As the broker publishes it (request-events.ts): the Permission's fields, its id as permissionId, and the whole Permission.
    expect(data({ ...permissionFields, permissionId: 'perm-1', permission, id: 9, type: 'permission_request', sessionId: 's', at: 'now' })).toMatchObject({ ...permission, type: 'permission_request', at: 'now', eventId: 9 });
    expect(data({ permissionId: 'perm-1', id: 9, type: 'permission_resolved', sessionId: 's', at: 'now', decision: 'allow' })).toMatchObject({ id: 9, eventId: 9, permissionId: 'perm-1' });
    expect(data({ messageId: 'm-1', role: 'user', id: 10, type: 'message', sessionId: 's', at: 'now' })).toMatchObject({ id: 'm-1', eventId: 10, role: 'user' });
    expect(data({ questionId: 'q-1', id: 11, type: 'question', sessionId: 's', at: 'now' })).toMatchObject({ id: 'q-1', eventId: 11 });
  });

  it('sends an event whose fields cannot be serialised as a stand-in instead of dropping it', () => {
    const toolInput: Record<string, unknown> = {};
    toolInput.self = toolInput;
    const text = formatEvent({ id: 8, type: 'permission_request', sessionId: 's', at: 'now', toolInput });
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
    expect(data).toEqual({ id: 8, eventId: 8, type: 'permission_request', sessionId: 's', at: 'now', error: { code: 'INTERNAL', message: expect.stringContaining('cannot be shown') } });
  });
});

describe('SseHub over HTTP', () => {
  it('delivers what one tick publishes to every stream, in order, and ends a stream whose last event came in that tick', async () => {
    const bus = new EventBus(100);
    const hub = new SseHub(bus);
    const app = Fastify();
    app.get('/events', (request, reply) => hub.open(request, reply, () => true, undefined, (event) => event.type === 'session_removed'));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const open = async () => {
        const res = await fetch(`${url}/events`);
        const reader = res.body!.getReader();
        const client = { text: '', done: Promise.resolve() };
        client.done = (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            client.text += new TextDecoder().decode(value);
          }
        })();
        return client;
      };
      const events = (text: string) => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
      const clients = [await open(), await open()];
      await vi.waitFor(() => expect(hub.connectionCount).toBe(2));
      bus.publish('status_changed', 's1', { from: 'idle', to: 'working' });
      bus.publish('message', 's1', { text: 'one' });
      // Delivered with nothing after them to push them out.
      await vi.waitFor(() => {
        for (const client of clients) expect(events(client.text)).toEqual(['status_changed', 'message']);
      }, { timeout: 5000 });
      bus.publish('message', 's1', { text: 'two' });
      bus.publish('session_removed', 's1', { reason: 'deleted' });
      for (const client of clients) {
        await client.done;
        expect(events(client.text)).toEqual(['status_changed', 'message', 'message', 'session_removed']);
      }
    } finally {
      hub.close();
      await app.close();
    }
  });
});

describe('SseHub replay', () => {
  it('ends a replay once more than a client may have pending is written, and goes on from there when it reconnects', async () => {
    const bus = new EventBus(1000);
    const hub = new SseHub(bus, { ...DEFAULT_SSE_OPTIONS, maxBacklogBytes: 64 * 1024 });
    const app = Fastify();
    app.get('/events', (request, reply) => hub.open(request, reply, () => true));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const first = bus.publish('message', 's1', { text: 'x'.repeat(10_000) }).id;
      for (let i = 1; i < 100; i++) bus.publish('message', 's1', { text: 'x'.repeat(10_000) });
      let lastId = first - 1;
      for (let round = 0; round < 3; round++) {
        // Each replay ends by itself (text() waits for the end), one event past the bound at most.
        const res = await fetch(`${url}/events`, { headers: { 'last-event-id': String(lastId) }, signal: AbortSignal.timeout(5000) });
        const text = await res.text();
        const got = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
        expect(got.length).toBeGreaterThan(1);
        expect(got).toEqual(got.map((_, i) => lastId + 1 + i));
        expect(text.length).toBeLessThan(64 * 1024 + 11_000);
        expect(text).toMatch(/: the replay goes on when the client reconnects with Last-Event-ID\n\n$/);
        lastId = got.at(-1)!;
      }
    } finally {
      hub.close();
      await app.close();
    }
  });
});
