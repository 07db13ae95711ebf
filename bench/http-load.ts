/**
 * HTTP load from a process of its own: autocannon's command line, so that the load generator does not
 * share the event loop (or the heap) of the benchmark process, and the baseline server and the daemon
 * are each alone in theirs too. On 2 cores all of them still compete for the CPU: rounds alternate the
 * variants, and a figure is the median over rounds.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { threadCpuMs } from './process-cpu.js';

const AUTOCANNON = join(createRequire(import.meta.url).resolve('autocannon/package.json'), '..', 'autocannon.js');

/**
 * On a machine of two cores or more, the load generator runs on core 0 and the server under test is
 * pinned to core 1 (pinServer), so they do not take the CPU from each other: on 2 cores, unpinned,
 * the same server's CPU per request varied by a third from run to run (the scheduler moving them
 * about), pinned by a few percent. Null where there is one core or no taskset.
 */
const LOAD_CORE: number | null = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return availableParallelism() >= 2 ? 0 : null;
  } catch {
    return null;
  }
})();

/** Pins every thread of process `pid` to the core the load does not use (a no-op where there is none). */
export function pinServer(pid: number): void {
  if (LOAD_CORE !== null) execFileSync('taskset', ['-a', '-pc', '1', String(pid)], { stdio: 'ignore' });
}

/** Whether servers and the load run on cores of their own (how the report describes the method). */
export const PINNED = LOAD_CORE !== null;

export interface Load {
  connections: number;
  seconds: number;
}

export interface LoadResult {
  /** autocannon's average over the run. */
  perSecond: number;
  /** CPU time the server's process used per request answered, in microseconds: what the machine's load moves little. */
  cpuUsPerRequest: number;
}

/**
 * Requests per second autocannon reaches on one URL, and the CPU time the server (process `serverPid`)
 * spent per request; any non-2xx answer fails the run.
 */
export async function loadServer(url: string, headers: Record<string, string>, load: Load, serverPid: number): Promise<LoadResult> {
  const before = threadCpuMs(serverPid);
  const { perSecond, total } = await autocannon(url, headers, load);
  return { perSecond, cpuUsPerRequest: ((threadCpuMs(serverPid) - before) * 1000) / total };
}

/** Requests per second autocannon reaches on one URL (its average over the run); any non-2xx answer fails the run. */
export async function requestsPerSecond(url: string, headers: Record<string, string>, load: Load): Promise<number> {
  return (await autocannon(url, headers, load)).perSecond;
}

async function autocannon(url: string, headers: Record<string, string>, { connections, seconds }: Load): Promise<{ perSecond: number; total: number }> {
  const args = [AUTOCANNON, '--json', '--no-progress', '-c', String(connections), '-d', String(seconds)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);
  const command = LOAD_CORE === null ? [process.execPath, ...args] : ['taskset', '-c', String(LOAD_CORE), process.execPath, ...args];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`autocannon exited ${code}: ${err.trim()}`);
  const result = JSON.parse(out) as { requests: { average: number; total: number }; non2xx: number; errors: number };
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return { perSecond: result.requests.average, total: result.requests.total };
}

export interface BareServer {
  url: string;
  pid: number;
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
    pid: child.pid!,
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
