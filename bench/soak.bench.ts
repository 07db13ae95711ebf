/**
 * Soak: sessions created and ended in a loop (50 a round, 10 starting at a time, each waited for until
 * idle) for AEGIS_SOAK_MINUTES (`npm run bench:soak`: 10). Daemon RSS, open file descriptors and tmux windows are
 * read after every round: they must not grow.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../test/support/daemon.js';
import { waitFor } from '../test/support/wait-for.js';
import { record } from './report.js';

const PER_ROUND = 50;
const AT_ONCE = 10;
const MINUTES = Number(process.env.AEGIS_SOAK_MINUTES ?? 0);

interface Sample { round: number; rssMiB: number; fds: number; windows: number; seconds: number }

// Long: run with `npm run bench:soak` (AEGIS_SOAK_MINUTES=10), not with the other benchmarks.
it.skipIf(!MINUTES)('creates and ends sessions in a loop without growing', async () => {
  const t = await startTestDaemon({ claude: true, config: { maxSessions: PER_ROUND } });
  const samples: Sample[] = [];
  const begin = Date.now();
  let sessions = 0;
  try {
    for (let round = 0; Date.now() - begin < MINUTES * 60_000; round++) {
      const ids: string[] = [];
      for (let i = 0; i < PER_ROUND; i += AT_ONCE) {
        const batch = await Promise.all(Array.from({ length: AT_ONCE }, () => t.api('POST', '/v1/sessions', { workDir: t.workDir(`w${i}`) })));
        ids.push(...batch.map((r) => r.body.id as string));
      }
      await waitFor(async () => (await t.api('GET', '/v1/sessions?status=idle')).body.sessions.length === ids.length, { timeoutMs: 180_000, what: 'every session idle' });
      for (const id of ids) await t.api('DELETE', `/v1/sessions/${id}`);
      sessions += ids.length;
      globalThis.gc?.();
      samples.push({ round, rssMiB: process.memoryUsage().rss / 2 ** 20, fds: readdirSync('/proc/self/fd').length, windows: windowCount(t), seconds: Math.round((Date.now() - begin) / 1000) });
      console.log(JSON.stringify(samples.at(-1)));
    }
  } finally {
    await t.close();
  }
  const first = samples[Math.min(1, samples.length - 1)]!; // round 0 warms up
  const last = samples.at(-1)!;
  record('soak', `## Soak: sessions created and ended for ${MINUTES} minutes

Method: \`bench/soak.bench.ts\`. Rounds of ${PER_ROUND} sessions (real Claude Code, ${AT_ONCE} starting at a
time, each waited for until idle, then all deleted) for ${MINUTES} minutes: ${sessions} sessions in
${samples.length} rounds. After each round: the daemon process's RSS (after a forced GC), its open file
descriptors and the windows in its tmux server (the placeholder window is one). The benchmark's own HTTP
client lives in the same process, so its keep-alive sockets move the descriptor count by a few.

| after round | at second | RSS | open fds | tmux windows |
|---|---|---|---|---|
${samples.map((s) => `| ${s.round} | ${s.seconds} | ${s.rssMiB.toFixed(1)} MiB | ${s.fds} | ${s.windows} |`).join('\n')}

From round ${first.round} to round ${last.round}: RSS ${(last.rssMiB - first.rssMiB >= 0 ? '+' : '')}${(last.rssMiB - first.rssMiB).toFixed(1)} MiB, fds ${last.fds - first.fds >= 0 ? '+' : ''}${last.fds - first.fds}, windows ${last.windows - first.windows >= 0 ? '+' : ''}${last.windows - first.windows}.`);
}, (MINUTES + 5) * 60_000);

function windowCount(t: TestDaemon): number {
  return execFileSync('tmux', ['-L', t.config.tmuxSocket, 'list-windows', '-F', '#{window_id}']).toString().trim().split('\n').length;
}
