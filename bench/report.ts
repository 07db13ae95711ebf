/**
 * Records benchmark results in docs/benchmarks.md: each benchmark owns one section between markers,
 * replaced on every run and stamped with the machine, the date and the commit measured. Everything
 * outside the markers (the introduction, notes written by hand) is kept as it is.
 * AEGIS_BENCH_PRINT_ONLY=1 prints the results without writing the file (for trial runs).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
export const BENCHMARKS_FILE = join(ROOT, 'docs', 'benchmarks.md');
const FILE = BENCHMARKS_FILE;
const HEADER = `# Benchmarks

Produced by \`npm run bench\` (vitest with \`bench/vitest.config.ts\`) and, for the soak, \`npm run bench:soak\`:
each section is rewritten by the benchmark named in it. They run the real daemon, real tmux and the real
Claude Code (the pinned devDependency) against the fake model API of \`test/support/\`.
`;

export function machine(): string {
  const tmux = execFileSync('tmux', ['-V']).toString().trim();
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${tmux}`;
}

/**
 * The commit measured, and whether the tree differs from it. The results file itself is left out:
 * benchmarks that ran earlier in the same run have already rewritten it.
 */
export function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT }).toString().trim();
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--', '.', ':(exclude)docs/benchmarks.md') !== '';
  return dirty ? `${head} + uncommitted changes` : head;
}

export interface Summary {
  count: number;
  median: number;
  min: number;
  max: number;
  /** Only with at least P95_MIN_SAMPLES samples: fewer cannot say what one run in twenty looks like. */
  p95: number | null;
}

export const P95_MIN_SAMPLES = 20;

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  // Nearest rank: the smallest sample with at least 95 % of the samples at or below it.
  const p95 = n >= P95_MIN_SAMPLES ? sorted[Math.ceil(0.95 * n) - 1]! : null;
  return { count: n, median, min: sorted[0]!, max: sorted[n - 1]!, p95 };
}

/** The 99th percentile (nearest rank). */
export function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(0.99 * sorted.length) - 1]!;
}

/** The header of a latency table whose rows come from `latencyRow`. */
export const LATENCY_TABLE = `| measure | samples | median | p95 | min | max |
|---|---|---|---|---|---|`;

/** One row of a latency table; p95 is left blank (–) under P95_MIN_SAMPLES samples. */
export function latencyRow(label: string, samples: number[], digits = 0): string {
  const s = summarize(samples);
  const ms = (v: number) => `${v.toFixed(digits)} ms`;
  return `| ${label} | ${s.count} | ${ms(s.median)} | ${s.p95 === null ? '–' : ms(s.p95)} | ${ms(s.min)} | ${ms(s.max)} |`;
}

/**
 * How busy the machine was when the section was written (the load averages, as `uptime` shows them):
 * a benchmark on a shared machine measures others' work too.
 */
export function load(): string {
  return `load ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`;
}

export function record(section: string, body: string): void {
  console.log(`\n${body.trim()}\n`);
  // A profiled daemon pays for its profiler (daemon-profile.ts): its figures are not the daemon's.
  if (process.env.AEGIS_BENCH_PRINT_ONLY === '1' || process.env.AEGIS_BENCH_PROFILE) return;
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const start = `<!-- ${section} -->`;
  const end = `<!-- /${section} -->`;
  const stamp = `_Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${load()}, commit ${commit()}._`;
  const block = `${start}\n${body.trim()}\n\n${stamp}\n${end}`;
  const i = current.indexOf(start);
  const j = current.indexOf(end);
  const next = i !== -1 && j !== -1 ? current.slice(0, i) + block + current.slice(j + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
}
