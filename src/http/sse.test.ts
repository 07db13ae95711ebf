import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { EventBus, type AegisEvent } from '../events/event-bus.js';
import { formatEvent, SseHub } from './sse.js';

describe('formatEvent', () => {
  it('writes one event as id, event and a JSON data line', () => {
    const event: AegisEvent = { id: 7, type: 'stalled', sessionId: 's', at: 'now', silentMs: 1 };
    expect(formatEvent(event)).toBe(`id: 7\nevent: stalled\ndata: ${JSON.stringify(event)}\n\n`);
  });

  it('sends an event whose fields cannot be serialised as a stand-in instead of dropping it', () => {
    const toolInput: Record<string, unknown> = {};
    toolInput.self = toolInput;
    const text = formatEvent({ id: 8, type: 'permission_request', sessionId: 's', at: 'now', toolInput });
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
    expect(data).toEqual({ id: 8, type: 'permission_request', sessionId: 's', at: 'now', error: { code: 'INTERNAL', message: expect.stringContaining('cannot be shown') } });
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
