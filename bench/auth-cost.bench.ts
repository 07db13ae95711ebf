/**
 * The cost of auth: requests per second of GET /v1/sessions with an API key against the same daemon
 * answering without credentials (the token-less loopback mode), in one run, rounds interleaved so a
 * busy machine weighs on both alike. The per-key rate limit is off: it would stop the key's load, and
 * what is measured is resolving the caller (SHA-256 of the secret, a map lookup, the scope check).
 */
import autocannon from 'autocannon';
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { standInClaude } from '../test/support/stand-in.js';
import { record } from './report.js';

const ROUNDS = 6;
const SECONDS = 5;
const CONNECTIONS = 10;
const SESSIONS = 5;

async function requestsPerSecond(url: string, headers: Record<string, string>): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return result.requests.average;
}

it('GET /v1/sessions with a key and without auth', async () => {
  const t = await startTestDaemon({ config: { claudeCommand: standInClaude(), rateLimitPerKey: 0 } });
  try {
    for (let i = 0; i < SESSIONS; i++) await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const key = (await t.api('POST', '/v1/auth/keys', { name: 'bench', role: 'admin' })).body.key as string;
    const url = `${t.url}/v1/sessions`;
    const open: number[] = [];
    const keyed: number[] = [];
    // Which goes first alternates: a run just after another pays for what the first left behind.
    for (let round = 0; round < ROUNDS; round++) {
      const runOpen = async () => open.push(await requestsPerSecond(url, {}));
      const runKeyed = async () => keyed.push(await requestsPerSecond(url, { authorization: `Bearer ${key}` }));
      if (round % 2 === 0) await runOpen().then(runKeyed);
      else await runKeyed().then(runOpen);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const rows = open.map((o, i) => `| ${i + 1} | ${Math.round(o)} | ${Math.round(keyed[i]!)} | ${(((keyed[i]! - o) / o) * 100).toFixed(1)} % |`);
    record(
      'auth-cost',
      `## The cost of auth: GET /v1/sessions with a key and without

autocannon, ${CONNECTIONS} connections, ${SECONDS} s per round, rounds interleaved (which goes first alternates), one daemon listing ${SESSIONS} sessions;
"open" is the token-less loopback mode, "key" sends \`Authorization: Bearer aeg_…\` (an admin key).

| round | open (req/s) | key (req/s) | key vs open |
|---|---|---|---|
${rows.join('\n')}
| mean | ${Math.round(mean(open))} | ${Math.round(mean(keyed))} | ${(((mean(keyed) - mean(open)) / mean(open)) * 100).toFixed(1)} % |`,
    );
  } finally {
    await t.close();
  }
});
