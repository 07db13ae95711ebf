/**
 * What ten idle sessions cost while nothing happens, in the minute after they started and in the
 * minute after that: the daemon, its tmux control client and the tmux server, with Claude Code's own
 * processes beside them for context.
 */
import { it } from 'vitest';
import { cpuTable, measureCpu } from './process-cpu.js';
import { record } from './report.js';
import { SETTLE_SECONDS, sessionsAtRest } from './sessions-at-rest.js';
import { openCountingSse } from './sse-counter.js';

const SESSIONS = 10;
const SECONDS = 60;

it('ten idle sessions for two minutes', async () => {
  const { t, daemonPid, tmuxPid } = await sessionsAtRest(SESSIONS);
  try {
    const events = await openCountingSse(`${t.url}/v1/events`);
    const first = await measureCpu(`first minute (from ${SETTLE_SECONDS} s after all idle)`, daemonPid, tmuxPid, SECONDS);
    const second = await measureCpu('second minute', daemonPid, tmuxPid, SECONDS);
    events.close();
    record('idle', `## At rest: ${SESSIONS} idle sessions, two minutes

Method: \`bench/idle.bench.ts\`. The daemon runs as \`aegis serve\` in a process of its own (from \`dist/\`,
built before the benchmarks), so its CPU time is its alone: the fake model API and the benchmark's
clients live in the benchmark's process. ${SESSIONS} sessions of the real Claude Code are created without a
prompt and waited for until all are idle, then ${SETTLE_SECONDS} s more (as on 2026-11-23); one client follows
\`/v1/events\`. Then nothing is asked of anyone for two windows of ${SECONDS} s. The tmux server is the one of the
daemon's socket (\`tmux -L <socket> display-message -p '#{pid}'\`); Claude Code is every process under it.
A process's CPU time is the scheduler's run time of its threads (\`/proc/<pid>/task/*/schedstat\`), or,
for a process that lost a thread inside the window (Claude Code does), the larger of that and its user +
system ticks (\`/proc/<pid>/stat\`, 10 ms steps): see \`bench/process-cpu.ts\`. The first minute still
holds the end of Claude Code's start-up (its own work, its calls to the model API, and what the daemon
does for them); the second is the cost of sessions that just sit. The SSE client received ${events.total()}
events in the two minutes.

${cpuTable([first, second])}`);
  } finally {
    await t.close();
  }
});
