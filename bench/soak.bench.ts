/**
 * Soak: rounds of sessions that each run a real turn, with SSE clients attached, for
 * AEGIS_SOAK_MINUTES (`npm run bench:soak`: 10; `npm run bench:soak:short`: 2, printed only). Every
 * round creates sessions with a prompt (the fake model streams the reply), follows each on its own
 * SSE stream, waits for every turn to end, and deletes them all. After each round the daemon's
 * process is read: RSS and heap after a forced GC, open file descriptors, tmux windows, open SSE
 * streams, event-loop delay, and what the SSE clients received. None of it may grow.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../test/support/daemon.js';
import { waitFor } from '../test/support/wait-for.js';
import { record } from './report.js';
import { openCountingSse, type CountingSseClient } from './sse-counter.js';

const PER_ROUND = 20;
const AT_ONCE = 10;
const REPLY_PIECES = 3;
const MINUTES = Number(process.env.AEGIS_SOAK_MINUTES ?? 0);
const GLOBAL_CLIENTS = 2;

interface Sample {
  round: number;
  seconds: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  windows: number;
  sseStreams: number;
  /** Event-loop delay over the round (ms): 99th percentile and worst. */
  lagP99: number;
  lagMax: number;
  /** Events each global client received in the round (they must agree). */
  globalEvents: number[];
  /** Events all per-session clients received in the round. */
  sessionEvents: number;
  turns: number;
  undelivered: number;
  /** Prompts confirmed only at a later delivery attempt. */
  retried: number;
}

// Long: run with `npm run bench:soak`, not with the other benchmarks.
it.skipIf(!MINUTES)('runs turns in sessions created and ended in a loop without growing', async () => {
  const t = await startTestDaemon({ claude: true, config: { maxSessions: PER_ROUND } });
  const samples: Sample[] = [];
  const begin = Date.now();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  let turnsEnded = new Set<string>();
  const globals: CountingSseClient[] = [];
  let attachedToTheEnd = false;
  try {
    for (let i = 0; i < GLOBAL_CLIENTS; i++) {
      globals.push(await openCountingSse(`${t.url}/v1/events`, (type, data) => {
        if (i === 0 && type === 'status_changed' && data.from === 'working' && data.to === 'idle') turnsEnded.add(data.sessionId);
      }));
    }
    lag.enable();
    for (let round = 1; Date.now() - begin < MINUTES * 60_000; round++) {
      const globalBefore = globals.map((c) => c.total());
      const ids: string[] = [];
      const delivered: string[] = [];
      let retried = 0;
      const perSession: CountingSseClient[] = [];
      for (let i = 0; i < PER_ROUND; i += AT_ONCE) {
        // Each session's own stream opens as soon as its create has answered.
        const created = async (j: number) => {
          const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(`w${i + j}`), prompt: `[[slow: ${REPLY_PIECES}]] round ${round}, session ${i + j}` });
          if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
          return { res, stream: await openCountingSse(`${t.url}/v1/sessions/${res.body.id}/events`) };
        };
        for (const { res, stream } of await Promise.all(Array.from({ length: AT_ONCE }, (_, j) => created(j)))) {
          const id = res.body.id as string;
          ids.push(id);
          perSession.push(stream);
          if (res.body.promptDelivery?.delivered === true) delivered.push(id);
          if (res.body.promptDelivery?.attempts > 1) retried++;
        }
      }
      await waitFor(() => delivered.every((id) => turnsEnded.has(id)), { timeoutMs: 180_000, what: 'every turn to end' });
      for (const id of ids) await t.api('DELETE', `/v1/sessions/${id}`);
      for (const client of perSession) client.close();
      const sessionEvents = perSession.reduce((sum, c) => sum + c.total(), 0);
      turnsEnded = new Set();
      // The fake model keeps every request it saw; it shares the process, so it must not grow it.
      t.fake!.requests.length = 0;
      t.fake!.calls.length = 0;
      // The daemon learns of a closed stream a moment later; a stream still open after that is counted below.
      await waitFor(async () => (await t.api('GET', '/v1/diagnostics')).body.connections.sse === GLOBAL_CLIENTS, { timeoutMs: 2000 }).catch(() => {});
      globalThis.gc?.();
      const memory = process.memoryUsage();
      samples.push({
        round,
        seconds: Math.round((Date.now() - begin) / 1000),
        rssMiB: memory.rss / 2 ** 20,
        heapMiB: memory.heapUsed / 2 ** 20,
        fds: readdirSync('/proc/self/fd').length,
        windows: windowCount(t),
        sseStreams: (await t.api('GET', '/v1/diagnostics')).body.connections.sse,
        lagP99: lag.percentile(99) / 1e6,
        lagMax: lag.max / 1e6,
        globalEvents: globals.map((c, i) => c.total() - globalBefore[i]!),
        sessionEvents,
        turns: delivered.length,
        undelivered: ids.length - delivered.length,
        retried,
      });
      lag.reset();
      console.log(JSON.stringify(samples.at(-1)));
    }
    attachedToTheEnd = globals.every((c) => c.open());
  } finally {
    lag.disable();
    for (const client of globals) client.close();
    await t.close();
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const sessions = samples.length * PER_ROUND;
  const turns = samples.reduce((sum, s) => sum + s.turns, 0);
  const signed = (v: number, digits = 0) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
  const growth = (from: Sample) =>
    `RSS ${signed(last.rssMiB - from.rssMiB, 1)} MiB, heap ${signed(last.heapMiB - from.heapMiB, 1)} MiB, fds ${signed(last.fds - from.fds)}, windows ${signed(last.windows - from.windows)}, SSE streams ${signed(last.sseStreams - from.sseStreams)}`;
  // The replay ring keeps the last eventReplaySize events: it fills during the first rounds, by design.
  let seen = 0;
  const ringFull = samples.find((s) => (seen += s.globalEvents[0]!) >= t.config.eventReplaySize);
  const steady = ringFull && ringFull !== last ? ` From round ${ringFull.round}, the first with the event replay ring full, to round ${last.round}: ${growth(ringFull)}.` : '';
  record('soak', `## Soak: turns in sessions created and ended for ${MINUTES} minutes

Method: \`bench/soak.bench.ts\` (\`npm run bench:soak\`), daemon in the benchmark's process (so that it can be
made to collect its garbage before each reading). Rounds of ${PER_ROUND} sessions of the real Claude Code, created
${AT_ONCE} at a time, each with a prompt whose reply the fake model streams in ${REPLY_PIECES} pieces 300 ms apart; each
session is followed by an SSE client of its own (\`/v1/sessions/:id/events\`) from its \`201\` (so it sees the
rest of the turn: how much of it depends on timing) until it is deleted, and ${GLOBAL_CLIENTS} clients follow \`/v1/events\` for the whole run. Once every turn has ended (working→idle),
all sessions are deleted and their streams closed. ${MINUTES} minutes: ${sessions} sessions and ${turns} turns in
${samples.length} rounds. After each round: RSS and used heap of the process after a forced GC, its open file
descriptors, the windows in the daemon's tmux server (the placeholder window is one), the SSE streams
the daemon has open (from \`/v1/diagnostics\`), the event-loop delay over the round (99th percentile and
worst, \`monitorEventLoopDelay\`), and the events the clients received. The daemon keeps the last
${t.config.eventReplaySize} events for replay (\`eventReplaySize\`), so its heap grows by design until that ring is full. The process also holds the fake
model API (its request log emptied every round) and the benchmark's clients, whose keep-alive sockets
move the descriptor count by a few.

| round | at second | RSS | heap | open fds | tmux windows | SSE streams | loop delay p99 / max | events per \`/v1/events\` client | events on per-session streams | turns |
|---|---|---|---|---|---|---|---|---|---|---|
${samples.map((s) => `| ${s.round} | ${s.seconds} | ${s.rssMiB.toFixed(1)} MiB | ${s.heapMiB.toFixed(1)} MiB | ${s.fds} | ${s.windows} | ${s.sseStreams} | ${s.lagP99.toFixed(0)} / ${s.lagMax.toFixed(0)} ms | ${[...new Set(s.globalEvents)].join(' / ')} | ${s.sessionEvents} | ${s.turns}${s.undelivered ? ` (${s.undelivered} prompts not confirmed)` : ''}${s.retried ? ` (${s.retried} prompts at a second attempt)` : ''} |`).join('\n')}

From round 1 to round ${last.round}: ${growth(first)}.${steady}
The \`/v1/events\` clients were ${attachedToTheEnd ? 'still attached at the end' : 'not all attached at the end'}.`);
}, (MINUTES + 5) * 60_000);

function windowCount(t: TestDaemon): number {
  return execFileSync('tmux', ['-L', t.config.tmuxSocket, 'list-windows', '-F', '#{window_id}']).toString().trim().split('\n').length;
}
