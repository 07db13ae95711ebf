/**
 * An SSE client that keeps no events, only counts them (by type) and hands each to a callback: a
 * client that stays attached for a long benchmark without its own memory growing in the process it
 * shares with the daemon.
 */
import { createParser } from 'eventsource-parser';

export interface CountingSseClient {
  /** Events received since `open`, by type. */
  readonly counts: Map<string, number>;
  total(): number;
  /** Whether the stream is still open (the daemon did not end it). */
  open(): boolean;
  close(): void;
}

export async function openCountingSse(url: string, onEvent: (type: string, data: any) => void = () => {}): Promise<CountingSseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`${url} answered ${res.status}`);
  const counts = new Map<string, number>();
  let ended = false;
  const parser = createParser({
    onEvent: (e) => {
      const type = e.event ?? 'message';
      counts.set(type, (counts.get(type) ?? 0) + 1);
      onEvent(type, JSON.parse(e.data));
    },
  });
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  })();
  // The stream ends when close() aborts it or the daemon goes away.
  reading.catch(() => {}).finally(() => (ended = true)).catch(() => {});
  return {
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    open: () => !ended,
    close: () => controller.abort(),
  };
}
