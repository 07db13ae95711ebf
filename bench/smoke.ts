/**
 * The reduced benchmarks `npm test` runs (test/e2e/bench-smoke.test.ts): each measure of the suite at a
 * size that takes seconds, to prove it still runs end to end and to print its numbers. Nothing here is
 * timed against a goal and nothing is written to docs/benchmarks.md. A benchmark joins the smoke test by
 * adding its entry to SMOKE_MEASURES: a name and a function that runs its measure small and describes
 * the result in a line.
 */
import { daemonMsPerMinute, runIdle } from './idle-cost.js';
import { runHookLatency } from './hook-latency.js';
import { p99, summarize } from './report.js';
import { runSendLatency } from './send-latency.js';
import { runWorking } from './working.js';

export interface SmokeMeasure {
  name: string;
  /** Runs the measure at a small size; the line printed. */
  run(): Promise<string>;
}

export const SMOKE_MEASURES: SmokeMeasure[] = [
  {
    name: 'idle: 2 sessions for 5 s (bench/idle-cost.ts)',
    async run() {
      const m = await runIdle({ sessions: 2, seconds: 5, settleSeconds: 0 });
      return `daemon ${Math.round(daemonMsPerMinute(m))} ms CPU/min, RSS ${m.daemon.rssMiB.toFixed(1)} MiB, ${m.daemon.fds} fds; tmux server ${Math.round((m.cpu.groups.tmuxServer.ms * 60) / m.cpu.seconds)} ms CPU/min`;
    },
  },
  {
    name: 'working: 2 sessions for 5 s (bench/working.ts)',
    async run() {
      const w = await runWorking({ sessions: 2, seconds: 5, settleSeconds: 0 });
      return `daemon ${Math.round((w.cpu.groups.daemon.ms * 60) / w.cpu.seconds)} ms CPU/min, ${w.wakesPerSecond.toFixed(0)} wake-ups/s, ${w.toolCalls} tool calls, ${w.events} events`;
    },
  },
  {
    name: 'hook → SSE: 1 session, 20 events (bench/hook-latency.ts)',
    async run() {
      const samples = await runHookLatency({ sessions: 1, events: 20, settleSeconds: 0 });
      return `p50 ${summarize(samples).median.toFixed(1)} ms, p99 ${p99(samples).toFixed(1)} ms over ${samples.length} events`;
    },
  },
  {
    name: 'send → working: 10 sends, 2 sessions, 1 delivery of each kind (bench/send-latency.ts)',
    async run() {
      const r = await runSendLatency({ events: 10, sessions: 2, deliveries: 1 });
      const retried = Object.values(r.retried).reduce((a, b) => a + b, 0);
      return `Claude's floor p50 ${summarize(r.floor).median.toFixed(1)} ms; given at once p50 ${summarize(r.atOnce).median.toFixed(1)} ms; 1 session p50 ${summarize(r.one).median.toFixed(1)} ms; 2 sessions p50 ${summarize(r.many).median.toFixed(1)} ms; ${retried} deliveries retried`;
    },
  },
];
