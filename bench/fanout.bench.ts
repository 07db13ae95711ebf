/**
 * SSE fan-out: 1 000 subscribers on /v1/events, the time until every one has an event, and what each
 * subscriber costs the daemon in resident memory.
 */
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { callHook, hookSecretOf } from '../test/support/hooks.js';
import { standInClaude } from '../test/support/stand-in.js';
import { waitFor } from '../test/support/wait-for.js';
import { mib, processMemory } from './process-memory.js';
import { p99, record, summarize } from './report.js';
import { openSubscribers } from './subscribers.js';
import { headline } from './summary.js';

const SUBSCRIBERS = 1000;
const SESSIONS = 50;
const ROUNDS = 10;

it(`${SUBSCRIBERS} subscribers on /v1/events`, async () => {
  // Stand-ins for Claude: the event is the point, and a stand-in keeps its hook secret where the benchmark reads it.
  const t = await startTestDaemon({ childProcess: true, config: { claudeCommand: standInClaude(), maxSseStreamsPerKey: SUBSCRIBERS + 10 } });
  try {
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) ids.push((await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string);
    const paneId = (await t.api('GET', `/v1/sessions/${ids[0]}`)).body.tmux.paneId as string;
    const session = { id: ids[0]!, secret: hookSecretOf(t.config.tmuxSocket, paneId) };
    const before = processMemory(t.pid!);
    const subscribers = await openSubscribers(`${t.url}/v1/events`, SUBSCRIBERS);
    const after = processMemory(t.pid!);
    const all: number[] = [];
    const lasts: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        subscribers.expect('permission_request');
        const begin = performance.now();
        const held = callHook(t.hookUrl, 'PermissionRequest', session, { tool_name: 'Bash', tool_input: { command: `echo ${round}` }, permission_suggestions: [] });
        await waitFor(() => subscribers.seenAt().every((at) => at !== null), { timeoutMs: 30_000, intervalMs: 5, what: 'every subscriber to have the event' });
        const delays = subscribers.seenAt().map((at) => at! - begin);
        all.push(...delays);
        lasts.push(Math.max(...delays));
        await t.api('POST', `/v1/sessions/${session.id}/reject`, {});
        await (await held).text();
      }
    } finally {
      subscribers.close();
    }
    const perSubscriberKiB = ((after.rssMiB - before.rssMiB) * 1024) / SUBSCRIBERS;
    const all50 = summarize(all).median;
    const last = summarize(lasts);
    record('fanout', `## SSE fan-out: ${SUBSCRIBERS} subscribers

Method: \`bench/fanout.bench.ts\`. The daemon runs as \`aegis serve\` in a process of its own with ${SESSIONS} sessions
whose Claude is a stand-in (a shell showing Claude's idle screen) and its per-key stream cap raised to
${SUBSCRIBERS + 10}. The benchmark opens ${SUBSCRIBERS} clients on \`/v1/events\` (raw HTTP requests in its own process, each
only searching its bytes for the event's name), then ${ROUNDS} times sends a PermissionRequest hook for one
session and times, for each subscriber, from sending the hook to the subscriber having the
\`permission_request\` event (then the request is rejected). The time includes the benchmark's own
reading of ${SUBSCRIBERS} sockets on the same 2 cores. Resident set (\`VmRSS\`) is read before the subscribers
connect and once all are connected.

| measure | value |
|---|---|
| every subscriber of every round (${all.length}): p50 / p99 / max | ${all50.toFixed(1)} / ${p99(all).toFixed(1)} / ${Math.max(...all).toFixed(1)} ms |
| until the last subscriber had it, per round: median / min / max | ${last.median.toFixed(1)} / ${last.min.toFixed(1)} / ${last.max.toFixed(1)} ms |
| daemon RSS before / with ${SUBSCRIBERS} subscribers | ${mib(before.rssMiB)} / ${mib(after.rssMiB)} (${after.fds} fds) |
| daemon RSS per subscriber | ${perSubscriberKiB.toFixed(1)} KiB |`);
    headline(
      { benchmark: 'fanout', measure: `${SUBSCRIBERS} subscribers: until the last has the event (median of ${ROUNDS} rounds; worst)`, value: `${last.median.toFixed(0)} ms; ${last.max.toFixed(0)} ms`, goal: '≤ 150 ms', met: last.max <= 150 },
      { benchmark: 'fanout', measure: 'daemon RSS per subscriber', value: `${perSubscriberKiB.toFixed(1)} KiB` },
    );
  } finally {
    await t.close();
  }
});
