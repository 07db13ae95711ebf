/**
 * Hook arrival → SSE client (bench/hook-latency.ts) with 1 session and with 10, the daemon in a process
 * of its own, sessions of the real Claude Code.
 */
import { it } from 'vitest';
import { claudeKeepingHookSecret, hookToSse } from './hook-latency.js';
import { LATENCY_TABLE, latencyRow, p99, record, summarize } from './report.js';
import { addSessionsAtRest, sessionsAtRest } from './sessions-at-rest.js';
import { headline } from './summary.js';

const EVENTS = 100;
const MANY = 10;
/** After the sessions are idle: the end of Claude Code's start-up would be measured too. */
const SETTLE_SECONDS = 10;

it(`hook → SSE with 1 and ${MANY} sessions`, async () => {
  const rest = await sessionsAtRest(1, { settleSeconds: SETTLE_SECONDS, config: { claudeCommand: claudeKeepingHookSecret() } });
  try {
    const one = await hookToSse(rest.t, rest.ids, EVENTS);
    const ids = [...rest.ids, ...(await addSessionsAtRest(rest.t, MANY - 1, SETTLE_SECONDS))];
    const many = await hookToSse(rest.t, ids, EVENTS);
    const p99Row = (label: string, samples: number[]) => `| ${label} | ${summarize(samples).median.toFixed(1)} ms | ${p99(samples).toFixed(1)} ms |`;
    record('latency', `## Latency: hook arrival to the SSE client

Method: \`bench/latency.bench.ts\` (the measure is \`bench/hook-latency.ts\`). The daemon runs as \`aegis serve\` in a
process of its own, with sessions of the real Claude Code (started by a script that keeps the session's
hook secret in its environment, as Claude holds it in its settings). ${EVENTS} times, the benchmark POSTs a
PermissionRequest hook to the daemon's hook listener with a session's secret, as Claude does, and times
until a client on \`/v1/events\` has the session's \`permission_request\` event; the request is then
rejected (\`POST /reject\`) and the next hook sent. First with 1 session, then with ${MANY} (the hooks go to
each in turn). The time includes the benchmark's own HTTP client and SSE parsing (node:http, \`bench/lean-http.ts\`), in the process that
also hosts the fake model API.

${LATENCY_TABLE}
${latencyRow('hook → `permission_request` at the SSE client, 1 session', one, 1)}
${latencyRow(`hook → \`permission_request\` at the SSE client, ${MANY} sessions`, many, 1)}

| sessions | p50 | p99 |
|---|---|---|
${p99Row('1', one)}
${p99Row(String(MANY), many)}`);
    headline(
      ...([['1 session', one], [`${MANY} sessions`, many]] as const).map(([label, samples]) => ({
        benchmark: 'latency',
        measure: `hook → SSE p99, ${label} (${samples.length} events)`,
        value: `${p99(samples).toFixed(1)} ms (p50 ${summarize(samples).median.toFixed(1)} ms)`,
        goal: '< 10 ms',
        met: p99(samples) < 10,
      })),
    );
  } finally {
    await rest.t.close();
  }
});
