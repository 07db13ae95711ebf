/**
 * A CPU profile of the daemon over a benchmark's measured window, when AEGIS_BENCH_PROFILE names a
 * directory: the daemon is started with bench/profile-preload.mjs, and `profiled` signals it at the
 * window's start and end. Without the variable nothing is loaded or signalled. The profiler samples
 * the daemon a thousand times a second, which its CPU time then includes: a profiled run prints its
 * figures and writes none to docs/benchmarks.md (report.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIR = process.env.AEGIS_BENCH_PROFILE;

/** Sets the daemon's node flags for profiling; call before the daemon starts. */
export function profileDaemons(): void {
  if (!DIR) return;
  const preload = pathToFileURL(join(import.meta.dirname, 'profile-preload.mjs'));
  preload.searchParams.set('dir', resolve(DIR));
  process.env.AEGIS_DAEMON_NODE_ARGS = `--import ${preload.href}`;
}

/** Runs `window` with daemon `pid` profiled, and says where the profile went (null: not profiled). */
export async function profiled<T>(pid: number, window: () => Promise<T>): Promise<{ result: T; profile: string | null }> {
  if (!DIR) return { result: await window(), profile: null };
  const before = new Set(readdirSync(DIR));
  process.kill(pid, 'SIGUSR2');
  const result = await window();
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const made = readdirSync(DIR).find((name) => !before.has(name) && name.startsWith(`daemon-${pid}-`));
    if (made) return { result, profile: join(DIR, made) };
    if (Date.now() > deadline || !existsSync(DIR)) return { result, profile: null };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
