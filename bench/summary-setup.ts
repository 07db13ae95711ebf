/**
 * Around a whole `npm run bench`: names the file benchmarks hand their headline figures to
 * (`bench/summary.ts`), and at the end prints them as one table and records it in docs/benchmarks.md.
 * Rows of benchmarks that did not run this time (one benchmark run alone) are kept from the last record.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCHMARKS_FILE, record } from './report.js';
import { parseSummaryTable, summaryTable, SUMMARY_FILE_ENV, type Headline } from './summary.js';

let dir: string | null = null;
let started = 0;

export function setup(): void {
  dir = mkdtempSync(join(tmpdir(), 'aegis-bench-summary-'));
  process.env[SUMMARY_FILE_ENV] = join(dir, 'rows.jsonl');
  started = Date.now();
}

export function teardown(): void {
  const file = process.env[SUMMARY_FILE_ENV]!;
  const fresh: Headline[] = existsSync(file)
    ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Headline)
    : [];
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (fresh.length === 0) return;
  const ran = new Set(fresh.map((r) => r.benchmark));
  const kept = previousRows().filter((r) => !ran.has(r.benchmark));
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  // What the whole suite took is kept when one benchmark runs alone: it is what `npm run bench` costs.
  const whole = kept.length === 0 ? `${minutes} minutes, ${new Date().toISOString().slice(0, 10)}` : previousWholeRun();
  record('summary', `## Summary

Headline figures of every benchmark, from the sections below; a ratio is against a baseline measured in
the same run. This run took ${minutes} minutes${kept.length > 0 ? ` and ran ${[...ran].join(', ')} (the other rows are from earlier runs)` : ''}.
${whole ? `The whole suite (\`npm run bench\`) last took ${whole}.\n` : ''}
${summaryTable([...fresh, ...kept].sort((a, b) => order(a) - order(b)))}`);
}

const ORDER = ['idle', 'working', 'latency', 'send-working', 'start', 'http', 'fanout'];
const order = (r: Headline) => (ORDER.includes(r.benchmark) ? ORDER.indexOf(r.benchmark) : ORDER.length);

function previousSummary(): string {
  if (!existsSync(BENCHMARKS_FILE)) return '';
  const text = readFileSync(BENCHMARKS_FILE, 'utf8');
  const start = text.indexOf('<!-- summary -->');
  const end = text.indexOf('<!-- /summary -->');
  return start === -1 || end === -1 ? '' : text.slice(start, end);
}

function previousRows(): Headline[] {
  return parseSummaryTable(previousSummary());
}

/** "13.9 minutes, 2026-12-07" from the last summary, if it says. */
function previousWholeRun(): string | undefined {
  return /The whole suite \(`npm run bench`\) last took ([^.]+\.\d+ minutes, \d{4}-\d{2}-\d{2})\./.exec(previousSummary())?.[1];
}
