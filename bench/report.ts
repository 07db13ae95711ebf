/**
 * Records benchmark results in docs/benchmarks.md: each benchmark owns one section, replaced on every
 * run, stamped with the machine and the date.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const FILE = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
const HEADER = `# Benchmarks

Produced by \`npm run bench\` (vitest with \`bench/vitest.config.ts\`): each section is rewritten by the
benchmark named in it. They run the real daemon, real tmux and the real Claude Code (the pinned
devDependency) against the fake model API of \`test/support/\`, so model latency is near zero and what is
measured is Aegis, tmux and Claude Code itself.
`;

export function machine(): string {
  const tmux = execFileSync('tmux', ['-V']).toString().trim();
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${tmux}`;
}

export function stats(samples: number[]): { median: number; p95: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95), min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export function record(section: string, body: string): void {
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const start = `<!-- ${section} -->`;
  const end = `<!-- /${section} -->`;
  const block = `${start}\n${body.trim()}\n\n_Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}._\n${end}`;
  const i = current.indexOf(start);
  const j = current.indexOf(end);
  const next = i !== -1 && j !== -1 ? current.slice(0, i) + block + current.slice(j + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
  console.log(`\n${body.trim()}\n`);
}
