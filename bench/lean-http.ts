/**
 * The HTTP client of the latency benchmarks: node:http over a kept-alive connection, and an SSE stream
 * read from its `data` events. In the process the benchmark shares with the in-process daemon,
 * `fetch` and a web stream added about a millisecond to each request and each event read (measured
 * 2026-12-07), time that is the client's, not the daemon's.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';

const agent = new Agent({ keepAlive: true });

/** Sends `body` as JSON (with `headers`) by `method` to `url`; resolves with the status and the parsed answer. */
export function jsonRequest(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const sent = text === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: sent }, (res) => {
      // An answer that is not JSON rejects the call (thrown in the `then`, it reaches the `catch`).
      readAll(res)
        .then((answer) => resolve({ status: res.statusCode ?? 0, body: answer === '' ? undefined : JSON.parse(answer) }))
        .catch(reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** An SSE stream at `url`, each event handed to `onEvent` as it is parsed; `close` ends it. */
export function openSse(url: string, onEvent: (type: string, data: any) => void): Promise<{ close(): void; ended: () => boolean }> {
  return new Promise((resolve, reject) => {
    let ended = false;
    const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`${url} answered ${res.statusCode}`));
      }
      const parser = createParser({ onEvent: (e) => onEvent(e.event ?? 'message', JSON.parse(e.data)) });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
      res.on('close', () => (ended = true));
      resolve({ close: () => req.destroy(), ended: () => ended });
    });
    // After the stream opened, an error (the close, the daemon gone) only ends it.
    req.on('error', (err) => {
      ended = true;
      reject(err);
    });
    req.end();
  });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}
