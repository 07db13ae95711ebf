/**
 * How long a session takes from POST /v1/sessions to idle with its reply, and what the daemon costs
 * while ten idle sessions sit for a minute.
 */
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { openSse } from '../test/support/sse.js';
import { waitFor } from '../test/support/wait-for.js';
import { record, stats } from './report.js';

const IDLE_SESSIONS = 10;
const IDLE_SECONDS = 60;

it('time to idle, and the daemon at rest with 10 idle sessions', async () => {
  const t = await startTestDaemon({ claude: true });
  try {
    const events = await openSse(`${t.url}/v1/events`);
    const created: number[] = [];
    const toIdle: number[] = [];
    for (let i = 0; i < 5; i++) {
      const begin = performance.now();
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: `hello ${i}` });
      created.push(performance.now() - begin);
      const id = res.body.id as string;
      await events.waitFor((e) => e.event === 'status_changed' && e.data.sessionId === id && e.data.from === 'working' && e.data.to === 'idle');
      toIdle.push(performance.now() - begin);
      await t.api('DELETE', `/v1/sessions/${id}`);
    }
    events.close();

    const ids: string[] = [];
    for (let i = 0; i < IDLE_SESSIONS; i++) ids.push((await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id);
    await waitFor(async () => (await t.api('GET', '/v1/sessions?status=idle')).body.sessions.length === IDLE_SESSIONS, { timeoutMs: 60_000, what: 'all sessions idle' });
    // Let start-up animations settle before measuring rest.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const cpuBefore = process.cpuUsage();
    const rssBefore = process.memoryUsage().rss;
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const rss = process.memoryUsage().rss;

    const c = stats(created);
    const d = stats(toIdle);
    record('sessions', `## Sessions: time to idle, and the daemon at rest

Method: \`bench/sessions.bench.ts\`. Five times, one after the other: \`POST /v1/sessions\` with a prompt,
timed until the response (Claude started, its prompt typed and confirmed by the UserPromptSubmit hook)
and until the SSE event \`status_changed\` working→idle (the reply is in the transcript). Then ${IDLE_SESSIONS} idle
sessions sit for ${IDLE_SECONDS} s while the daemon's process CPU time is measured (\`process.cpuUsage()\`
of the process that hosts the daemon; the benchmark itself only waits on a timer).

| measure | median | p95 | min | max |
|---|---|---|---|---|
| POST /v1/sessions with a prompt → 201 | ${c.median.toFixed(0)} ms | ${c.p95.toFixed(0)} ms | ${c.min.toFixed(0)} ms | ${c.max.toFixed(0)} ms |
| POST /v1/sessions → idle with the reply | ${d.median.toFixed(0)} ms | ${d.p95.toFixed(0)} ms | ${d.min.toFixed(0)} ms | ${d.max.toFixed(0)} ms |

Daemon CPU time with ${IDLE_SESSIONS} idle sessions over ${IDLE_SECONDS} s: **${cpuMs.toFixed(0)} ms** (${((cpuMs / (IDLE_SECONDS * 1000)) * 100).toFixed(3)} % of one core); RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rss / 2 ** 20).toFixed(0)} MiB.`);
    for (const id of ids) await t.api('DELETE', `/v1/sessions/${id}`);
  } finally {
    await t.close();
  }
});
