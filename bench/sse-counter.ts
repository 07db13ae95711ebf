/**
 * An SSE client that keeps no events, only counts them (by type) and hands each to a callback: a
 * client that stays attached for a long benchmark without its own memory growing in the process it
 * shares with the daemon.
 */
import { openSse } from './lean-http.js';

export interface CountingSseClient {
  /** Events received since `open`, by type. */
  readonly counts: Map<string, number>;
  total(): number;
  /** Whether the stream is still open (the daemon did not end it). */
  open(): boolean;
  close(): void;
}

export async function openCountingSse(url: string, onEvent: (type: string, data: any) => void = () => {}): Promise<CountingSseClient> {
  const counts = new Map<string, number>();
  const stream = await openSse(url, (type, data) => {
    counts.set(type, (counts.get(type) ?? 0) + 1);
    onEvent(type, data);
  });
  return {
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    open: () => !stream.ended(),
    close: () => stream.close(),
  };
}
