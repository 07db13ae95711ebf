/** A test SSE client: collects a stream's events and waits for the ones a test expects. */
import { createParser } from 'eventsource-parser';
import { waitFor } from './wait-for.js';

export interface ReceivedEvent {
  id: string | undefined;
  event: string | undefined;
  data: any;
}

export interface SseClient {
  events: ReceivedEvent[];
  status: number;
  waitFor(predicate: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: ReceivedEvent[] = [];
  const parser = createParser({
    onEvent: (e) => events.push({ id: e.id, event: e.event, data: JSON.parse(e.data) }),
  });
  if (res.body) {
    const decoder = new TextDecoder();
    const read = async (body: AsyncIterable<Uint8Array>) => {
      for await (const chunk of body) parser.feed(decoder.decode(chunk, { stream: true }));
    };
    read(res.body as unknown as AsyncIterable<Uint8Array>).catch(() => {
      // the stream was closed (aborted) or the daemon went away: the events so far are what it sent
    });
  }
  return {
    events,
    status: res.status,
    waitFor: (predicate, timeoutMs = 30_000) => waitFor(() => events.find(predicate), { timeoutMs, what: 'an SSE event' }),
    close: () => controller.abort(),
  };
}
