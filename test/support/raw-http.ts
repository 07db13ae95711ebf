/**
 * HTTP below fetch, for tests of the daemon's edge: `request` sends exactly the headers given (Host
 * and Origin included, which fetch would set or refuse), and `rawExchange` writes bytes to the socket
 * as they are, for requests no well-behaved client would send (bad percent-encoding, a broken
 * Content-Length or chunked body, oversized headers). Both read the answer to the end.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

function parsed(status: number, headers: RawAnswer['headers'], text: string): RawAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, setHost: !options.headers?.host && !options.headers?.Host }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(parsed(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes `bytes` to a fresh connection and reads until the daemon closes it or one answer is complete. */
export function rawExchange(port: number, bytes: string | Buffer): Promise<RawAnswer & { raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      let body = rest.join('\r\n\r\n');
      const length = Number(headers['content-length']);
      if (Number.isInteger(length)) body = Buffer.from(body).subarray(0, length).toString('utf8');
      resolve({ ...parsed(Number(statusLine.split(' ')[1] ?? 0), headers, body), raw });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One complete answer is enough: the daemon may keep the connection open for the next request.
      const raw = Buffer.concat(chunks).toString('utf8');
      const end = raw.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, end))?.[1];
      if (end >= 0 && length !== undefined && Buffer.byteLength(raw) >= end + 4 + Number(length)) {
        socket.destroy();
        finish();
      }
    });
    socket.on('end', finish);
    socket.on('close', () => finish());
    socket.on('error', (err) => (chunks.length ? finish() : reject(err)));
    socket.write(bytes);
  });
}
