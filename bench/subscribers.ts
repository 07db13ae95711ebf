/**
 * Many SSE subscribers at once, as cheap as a client can be: one raw HTTP request each, whose bytes
 * are only searched for an event's name. Each notes when it first saw that event, for fan-out timings.
 */
import { Agent, get, type ClientRequest } from 'node:http';

export interface Subscribers {
  readonly count: number;
  /** Forget what was seen, then note the moment each subscriber next sees an event of this type. */
  expect(type: string): void;
  /** When each subscriber saw the expected event (performance.now()), null until it has. */
  seenAt(): Array<number | null>;
  close(): void;
}

export async function openSubscribers(url: string, count: number): Promise<Subscribers> {
  // No pooling limit: each subscriber holds its own connection for as long as it lives.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const requests: ClientRequest[] = [];
  const seen: Array<number | null> = Array.from({ length: count }, () => null);
  let needle: string | null = null;
  const opened = Array.from({ length: count }, (_, i) =>
    new Promise<void>((resolve, reject) => {
      const req = get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`subscriber ${i}: ${url} answered ${res.statusCode}`));
        res.setEncoding('utf8');
        // An event's name never spans two chunks here in practice; a missed one shows as a timeout, not a wrong figure.
        res.on('data', (chunk: string) => {
          if (needle !== null && seen[i] === null && chunk.includes(needle)) seen[i] = performance.now();
        });
        res.on('error', () => {});
        resolve();
      });
      req.on('error', (err) => (needle === null ? reject(err) : undefined));
      requests.push(req);
    }),
  );
  await Promise.all(opened);
  return {
    count,
    expect(type) {
      seen.fill(null);
      needle = `event: ${type}\n`;
    },
    seenAt: () => [...seen],
    close() {
      for (const req of requests) req.destroy();
      agent.destroy();
    },
  };
}
