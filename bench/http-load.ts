/**
 * HTTP load from a process of its own: autocannon's command line, so that the load generator does not
 * share the event loop (or the heap) of the benchmark process, and the baseline server and the daemon
 * are each alone in theirs too. On 2 cores all of them still compete for the CPU: rounds alternate the
 * variants, and a figure is the median over rounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const AUTOCANNON = join(createRequire(import.meta.url).resolve('autocannon/package.json'), '..', 'autocannon.js');

export interface Load {
  connections: number;
  seconds: number;
}

/** Requests per second autocannon reaches on one URL (its average over the run); any non-2xx answer fails the run. */
export async function requestsPerSecond(url: string, headers: Record<string, string>, { connections, seconds }: Load): Promise<number> {
  const args = [AUTOCANNON, '--json', '--no-progress', '-c', String(connections), '-d', String(seconds)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`autocannon exited ${code}: ${err.trim()}`);
  const result = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number };
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return result.requests.average;
}

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

/** `bench/bare-fastify.mjs` in a process of its own, answering each route with its body from `answersFile`. */
export async function startBareFastify(answersFile: string): Promise<BareServer> {
  const child: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, 'bare-fastify.mjs'), answersFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const [url] = (await Promise.race([once(lines, 'line'), exited.then(() => [null])])) as [string | null];
  lines.close();
  if (url === null) throw new Error('the bare fastify exited before listening');
  return {
    url,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
