/**
 * What ten idle sessions cost while nothing happens for a minute: the daemon, its tmux control client
 * and the tmux server, with Claude Code's own processes beside them for context.
 */
import { it } from 'vitest';
import { CPU_RESOLUTION_MS, cpuTable, measureCpu } from './process-cpu.js';
import { record } from './report.js';
import { SETTLE_SECONDS, sessionsAtRest } from './sessions-at-rest.js';
import { openCountingSse } from './sse-counter.js';

const SESSIONS = 10;
const SECONDS = 60;

it('ten idle sessions for a minute', async () => {
  const { t, daemonPid, tmuxPid } = await sessionsAtRest(SESSIONS);
  try {
    const events = await openCountingSse(`${t.url}/v1/events`);
    const cpu = await measureCpu(daemonPid, tmuxPid, SECONDS);
    events.close();
    record('idle', `## At rest: ${SESSIONS} idle sessions for ${SECONDS} s

Method: \`bench/idle.bench.ts\`. The daemon runs as \`aegis serve\` in a process of its own (from \`dist/\`,
built before the benchmarks), so its CPU time is its alone: the fake model API and the benchmark's
clients live in the benchmark's process. ${SESSIONS} sessions of the real Claude Code are created without a
prompt and waited for until all are idle, then ${SETTLE_SECONDS} s more; one client follows \`/v1/events\`. Then
for ${SECONDS} s nothing is asked of anyone, and each process's CPU time (user + system, from
\`/proc/<pid>/stat\`, in steps of ${CPU_RESOLUTION_MS} ms) is the difference between the two ends. The tmux server is
the one of the daemon's socket (\`tmux -L <socket> display-message -p '#{pid}'\`); Claude Code is every
process under it. The SSE client received ${events.total()} events in the window.

${cpuTable(cpu)}`);
  } finally {
    await t.close();
  }
});
