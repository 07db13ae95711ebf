/**
 * What idle sessions cost while nothing happens: 10 sessions, then 40 more on the same daemon (50),
 * each measured over a minute after Claude Code's start-up has ended; then 1 000 event subscribers are
 * attached to the 50 and the daemon's resident set read again.
 */
import { it } from 'vitest';
import { daemonMsPerMinute, measureIdle } from './idle-cost.js';
import { cpuTable } from './process-cpu.js';
import { mib, processMemory } from './process-memory.js';
import { record } from './report.js';
import { addSessionsAtRest, sessionsAtRest } from './sessions-at-rest.js';
import { openSubscribers } from './subscribers.js';
import { headline } from './summary.js';

const FEW = 10;
const MANY = 50;
const SECONDS = 60;
/** Idle sessions finish Claude Code's start-up within some 15 s of being idle (its first calls to the model API). */
const SETTLE_SECONDS = 15;
const SUBSCRIBERS = 1000;

it(`${FEW} and ${MANY} idle sessions for a minute each`, async () => {
  const rest = await sessionsAtRest(FEW, { settleSeconds: SETTLE_SECONDS, config: { maxSseStreamsPerKey: SUBSCRIBERS + 10 } });
  try {
    const few = await measureIdle(rest, SECONDS);
    await addSessionsAtRest(rest.t, MANY - FEW, SETTLE_SECONDS);
    const many = await measureIdle(rest, SECONDS);
    const subscribers = await openSubscribers(`${rest.t.url}/v1/events`, SUBSCRIBERS);
    const withSubscribers = processMemory(rest.daemonPid);
    subscribers.close();

    const memoryRow = (label: string, pick: (m: typeof few) => { rssMiB: number; fds: number }) =>
      `| ${label} | ${[few, many].map((m) => `${mib(pick(m).rssMiB)}, ${pick(m).fds} fds`).join(' | ')} |`;
    record('idle', `## At rest: ${FEW} and ${MANY} idle sessions

Method: \`bench/idle.bench.ts\` (the measure is \`bench/idle-cost.ts\`). The daemon runs as \`aegis serve\` in a
process of its own (from \`dist/\`, built before the benchmarks), so its CPU time is its alone: the fake
model API and the benchmark's clients live in the benchmark's process. ${FEW} sessions of the real Claude
Code are created without a prompt and waited for until all are idle, then ${SETTLE_SECONDS} s more for the end of
Claude Code's start-up (its own first calls to the model API), and on until Claude's processes are quiet (at most
5 ms of CPU a second per session over 2 s, or 30 s more; a window that caught the start-up's tail once cost the
daemon 156 ms a minute for 10 sessions, and 32 in the next run); one client follows \`/v1/events\`; nothing is
asked of anyone for ${SECONDS} s. Then ${MANY - FEW} more sessions are created on the same daemon, waited for and
settled the same way, and the ${MANY} measured over ${SECONDS} s. The tmux server is the one of the daemon's socket;
Claude Code is every process under it. A process's CPU time is the scheduler's run time of its threads
(\`/proc/<pid>/task/*/schedstat\`), or, for a process that lost a thread inside the window, the larger of
that and its user + system ticks (\`/proc/<pid>/stat\`): see \`bench/process-cpu.ts\`; CPU time, unlike a
rate, is little moved by other work on the machine. Resident set (\`VmRSS\`) and open descriptors are read
at the end of each window. The SSE client received ${few.events} and ${many.events} events in the windows.
There is no baseline in this run: the figures are absolute.

${cpuTable([few.cpu, many.cpu])}

| memory at the end of the window | ${FEW} sessions | ${MANY} sessions |
|---|---|---|
${memoryRow('Aegis daemon', (m) => m.daemon)}
${memoryRow('tmux server', (m) => m.tmuxServer)}

With ${SUBSCRIBERS} clients on \`/v1/events\` besides the ${MANY} sessions, the daemon's resident set is
${mib(withSubscribers.rssMiB)} (${withSubscribers.fds} fds).`);
    const idleCpu = daemonMsPerMinute(many);
    headline(
      { benchmark: 'idle', measure: `daemon CPU, ${FEW} idle sessions`, value: `${Math.round(daemonMsPerMinute(few))} ms/min` },
      { benchmark: 'idle', measure: `daemon CPU, ${MANY} idle sessions`, value: `${Math.round(idleCpu)} ms/min`, goal: '< 300 ms/min', met: idleCpu < 300 },
      {
        benchmark: 'idle',
        measure: `daemon RSS, ${MANY} sessions and ${SUBSCRIBERS} subscribers`,
        value: mib(withSubscribers.rssMiB),
        goal: '< 120 MB',
        met: withSubscribers.rssMiB * 1.048576 < 120,
      },
    );
  } finally {
    await rest.t.close();
  }
});
