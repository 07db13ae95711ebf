/**
 * The suite's summary: each benchmark hands over its headline figures (a ratio against a baseline of
 * the same run where one exists, and the goal it is held to), and once the whole run is over
 * `bench/summary-setup.ts` prints them as one table and records them in docs/benchmarks.md.
 * Benchmarks run in worker processes, so the rows travel through a file the run's setup names.
 */
import { appendFileSync } from 'node:fs';

export interface Headline {
  /** The benchmark's file, e.g. `idle`. */
  benchmark: string;
  measure: string;
  /** The figure as it reads, e.g. `0.82 × bare fastify (6120 req/s)`. */
  value: string;
  /** The goal, as it reads (`≥ 0.85 × bare fastify`), if there is one. */
  goal?: string;
  /** Whether the goal was met; absent without a goal. */
  met?: boolean;
}

export const SUMMARY_FILE_ENV = 'AEGIS_BENCH_SUMMARY_FILE';

export function headline(...rows: Headline[]): void {
  const file = process.env[SUMMARY_FILE_ENV];
  // Outside `npm run bench` (the smoke test), there is no summary to add to.
  if (!file) return;
  for (const row of rows) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** The table of headline rows, in the order given. */
export function summaryTable(rows: Headline[]): string {
  const goal = (r: Headline) => (r.goal === undefined ? '–' : `${r.goal} ${r.met ? '(met)' : '(**missed**)'}`);
  return `| benchmark | measure | result | goal |
|---|---|---|---|
${rows.map((r) => `| ${r.benchmark} | ${r.measure} | ${r.value} | ${goal(r)} |`).join('\n')}`;
}

/** The rows of a summary table written earlier (kept for benchmarks that did not run this time). */
export function parseSummaryTable(text: string): Headline[] {
  const rows: Headline[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, ''));
    if (cells.length !== 4 || cells[0] === 'benchmark' || cells[0]!.startsWith('---')) continue;
    const [benchmark, measure, value, goalCell] = cells as [string, string, string, string];
    const goalMatch = /^(.*) \((met|\*\*missed\*\*)\)$/.exec(goalCell);
    rows.push(goalMatch ? { benchmark, measure, value, goal: goalMatch[1]!, met: goalMatch[2] === 'met' } : { benchmark, measure, value });
  }
  return rows;
}
