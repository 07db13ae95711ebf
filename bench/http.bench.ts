/**
 * HTTP throughput: requests per second of GET /v1/health, GET /v1/sessions/:id and GET /v1/sessions
 * (50 sessions) from the daemon without credentials (its token-less loopback mode) and with an API key,
 * against a bare fastify answering the same JSON, all in one run. Each server and the load generator
 * run in processes of their own (bench/http-load.ts). This is also the cost of auth: the key path
 * against the open one on the same daemon.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { standInClaude } from '../test/support/stand-in.js';
import { loadServer, median, pinServer, PINNED, startBareFastify, type Load, type LoadResult } from './http-load.js';
import { record } from './report.js';
import { headline } from './summary.js';

const SESSIONS = 50;
// 4 rounds of 9 runs of 2 s: the longest benchmark after the idle one. Runs of 3 s took the whole suite
// to 14.1 of its 15 minutes; a run of 2 s still answers some 20 000 requests, and the rounds' median
// is what steadies a figure.
const ROUNDS = Number(process.env.AEGIS_BENCH_HTTP_ROUNDS ?? 4);
const LOAD: Load = { connections: 10, seconds: Number(process.env.AEGIS_BENCH_HTTP_SECONDS ?? 2) };

type Server = 'bare' | 'open' | 'key';
interface Variant {
  route: string;
  server: Server;
  path: string;
}

it(`GET health, one session and the list of ${SESSIONS}: daemon with and without a key against bare fastify`, async () => {
  // Stand-ins for Claude (a shell showing Claude's idle screen): the reads only need the records; the
  // rate limit per key is off, since the load is one key's.
  const t = await startTestDaemon({ childProcess: true, config: { claudeCommand: standInClaude(), rateLimitPerKey: 0, rateLimitPerIp: 0 } });
  let bare: Awaited<ReturnType<typeof startBareFastify>> | null = null;
  try {
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      ids.push(res.body.id as string);
    }
    const key = (await t.api('POST', '/v1/auth/keys', { name: 'bench', role: 'admin' })).body.key as string;
    const id = ids[0]!;
    const routes = { '/v1/health': '/v1/health', '/v1/sessions/:id': `/v1/sessions/${id}`, '/v1/sessions': '/v1/sessions' };
    const answers: Record<string, unknown> = {};
    for (const [route, path] of Object.entries(routes)) answers[route] = (await t.api('GET', path)).body;
    const listed = (answers['/v1/sessions'] as { sessions: unknown[] }).sessions.length;
    if (listed !== SESSIONS) throw new Error(`the list holds ${listed} sessions, not ${SESSIONS}`);
    const answersFile = join(t.workDir('bare'), 'answers.json');
    writeFileSync(answersFile, JSON.stringify(answers));
    bare = await startBareFastify(answersFile);
    pinServer(bare.pid);
    pinServer(t.pid!);

    const variants: Variant[] = Object.entries(routes).flatMap(([route, path]) => (['bare', 'open', 'key'] as const).map((server) => ({ route, server, path })));
    const run = (v: Variant, load: Load) =>
      loadServer(`${v.server === 'bare' ? bare!.url : t.url}${v.path}`, v.server === 'key' ? { authorization: `Bearer ${key}` } : {}, load, v.server === 'bare' ? bare!.pid : t.pid!);
    // A short run of each first, so that no round measures a cold server.
    for (const v of variants) await run(v, { ...LOAD, seconds: 1 });
    const results = new Map<Variant, LoadResult[]>(variants.map((v) => [v, []]));
    // Each round starts one variant further on: what runs just after another pays for what it left behind.
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + round * 4) % variants.length]!;
        results.get(v)!.push(await run(v, LOAD));
      }
    }

    const resultsOf = (route: string, server: Server) => results.get(variants.find((v) => v.route === route && v.server === server)!)!;
    const of = (route: string, server: Server) => resultsOf(route, server).map((r) => r.perSecond);
    const cpuOf = (route: string, server: Server) => median(resultsOf(route, server).map((r) => r.cpuUsPerRequest));
    const med = (route: string, server: Server) => median(of(route, server));
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const spread = (values: number[]) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
    const rows = Object.keys(routes).map((route) => {
      const b = med(route, 'bare');
      const cells = (['open', 'key'] as const).map((s) => `${Math.round(med(route, s))} (${spread(of(route, s))}) | ${ratio(med(route, s), b)}`);
      return `| \`GET ${route}\` | ${Math.round(b)} (${spread(of(route, 'bare'))}) | ${cells.join(' | ')} | ${ratio(med(route, 'key'), med(route, 'open'))} |`;
    });
    const health = med('/v1/health', 'open') / med('/v1/health', 'bare');
    const reads = ['/v1/sessions/:id', '/v1/sessions'].map((route) => ({ route, ratio: med(route, 'key') / med(route, 'bare') }));
    const keyVsOpen = med('/v1/sessions', 'key') / med('/v1/sessions', 'open');
    const cpuRows = Object.keys(routes).map((route) => {
      const b = cpuOf(route, 'bare');
      return `| \`GET ${route}\` | ${b.toFixed(0)} µs | ${cpuOf(route, 'open').toFixed(0)} µs | ${(b / cpuOf(route, 'open')).toFixed(2)} | ${cpuOf(route, 'key').toFixed(0)} µs | ${(b / cpuOf(route, 'key')).toFixed(2)} |`;
    });
    const roundRows = of('/v1/sessions', 'open').map((open, i) => {
      const keyed = of('/v1/sessions', 'key')[i]!;
      return `| ${i + 1} | ${Math.round(of('/v1/sessions', 'bare')[i]!)} | ${Math.round(open)} | ${Math.round(keyed)} | ${(((keyed - open) / open) * 100).toFixed(1)} % |`;
    });

    record('http', `## HTTP: requests per second against a bare fastify, with and without a key

Method: \`bench/http.bench.ts\`. The daemon runs as \`aegis serve\` in a process of its own, with ${SESSIONS}
sessions whose Claude is a stand-in (a shell script showing Claude's idle screen: the reads need only the
sessions' records, and ${SESSIONS} real Claudes would take the CPU the load needs); the per-key rate limit is off. The
baseline is \`bench/bare-fastify.mjs\`, a bare fastify in a process of its own answering each route with the
JSON the daemon answered (the same object, serialised by fastify on every request). The load is autocannon's command line in a third process,
${LOAD.connections} connections, ${LOAD.seconds} s per run, after a 1 s run of each variant. "open" is the daemon's
token-less loopback mode; "key" sends \`Authorization: Bearer aeg_…\` of an admin key made by
\`POST /v1/auth/keys\` (\`/v1/health\` is public: the key is only carried). ${ROUNDS} rounds; each runs every
variant once, starting one place further on each round; a figure is the median over the rounds (the
spread in brackets), a ratio is of medians. ${PINNED ? 'The server under test (the daemon, every thread of it, or the bare fastify) is pinned to core 1 and autocannon to core 0 (`taskset`), so they do not compete for a core: unpinned on 2 cores, one server\'s CPU per request varied by a third between runs.' : 'Servers and load share the cores (no taskset, or one core): rates are those of the whole machine.'}

| route | bare fastify req/s | open req/s | open / bare | key req/s | key / bare | key / open |
|---|---|---|---|---|---|---|
${rows.join('\n')}

CPU time the server's process spent per request answered (its threads' run time over the run, divided by
the requests; median over the rounds), which the machine's load moves far less than a rate; "bare / open"
is the share of bare fastify's rate the daemon would reach if the CPU were the only limit:

| route | bare fastify | open | bare / open | key | bare / key |
|---|---|---|---|---|---|
${cpuRows.join('\n')}

The cost of auth, \`GET /v1/sessions\` (${SESSIONS} sessions) round by round:

| round | bare fastify | open | key | key vs open |
|---|---|---|---|---|
${roundRows.join('\n')}

Where the daemon's time per request goes, beyond bare fastify's (measured once, not by this benchmark:
\`GET /v1/health\`, both pinned as above, 4 runs of 3 s each, the daemon built with each layer of its
request pipeline switched off in turn, on a machine where bare fastify took half the CPU it takes on the
one of 2026-12-07 below): bare fastify 16–17 µs; the daemon with none of the layers below (routing,
zod-checked routes, the auth check, the handler) 20 µs; then each layer added alone: the security
headers +3.6 µs, the request metrics (prom-client's histogram hashes its labels on every observation)
+2.4 µs, the rate limiter +1.1 µs (none is registered when both limits are off, as here, nor on routes
never limited), the audit trail, origin guard and cookie parser +0.4–0.6 µs each (cookies are parsed
only where one is read); all together 31 µs. A bare fastify with an async handler, or with six hooks
that do nothing, costs what it costs without them. At 0.85 × bare fastify, health would have to cost
19.5 µs, less than the daemon without any of its layers: the goal cannot be met while every answer
carries the security headers.

Since then (2026-12-07, interleaved runs of the two builds, 6 × 4 s each, on a machine where bare
fastify took 35–41 µs a request for health): the security headers are set on fastify's reply, which
hands them to Node in one object with its own, instead of on Node's response, which made Node take every
header in one at a time (on a bare fastify, the same five headers cost 4 µs a request that way against
10); and a session's JSON text is kept and answered again while its view is the same data, which takes a
quarter of the time serialising it does (\`src/http/json-list.ts\`). CPU per request, old build against
new: health 77 → 71 µs, \`GET /v1/sessions/:id\` 99 → 86 µs, the list of ${SESSIONS} 290 → 215 µs.

An API key's check cost 13–20 µs a request inside the daemon (\`GET /v1/sessions/:id\`, the same key
sent under another header name costs 1 µs), though 3.2 µs in a loop of its own: timed around the call
in the daemon 6 µs, the rest in what it leaves behind for the request (allocations, native calls). A
connection that presented the same secret before is now checked by one constant-time comparison (the
key still unchanged, unrevoked and valid), and uses are counted as numbers, formatted only when written
or shown: the key path costs about 6 µs over the open one on that route.`);
    headline(
      { benchmark: 'http', measure: '`GET /v1/health` against bare fastify', value: `${health.toFixed(2)} × (${Math.round(med('/v1/health', 'open'))} req/s; CPU per request ${(cpuOf('/v1/health', 'bare') / cpuOf('/v1/health', 'open')).toFixed(2)} ×)`, goal: '≥ 0.85 ×', met: health >= 0.85 },
      ...reads.map((r) => ({ benchmark: 'http', measure: `\`GET ${r.route}\` with a key against bare fastify`, value: `${r.ratio.toFixed(2)} × (${Math.round(med(r.route, 'key'))} req/s; CPU per request ${(cpuOf(r.route, 'bare') / cpuOf(r.route, 'key')).toFixed(2)} ×)`, goal: '≥ 0.70 ×', met: r.ratio >= 0.7 })),
      { benchmark: 'http', measure: `\`GET /v1/sessions\` (${SESSIONS}) with a key against open`, value: `${keyVsOpen.toFixed(2)} × (CPU per request ${(cpuOf('/v1/sessions', 'open') / cpuOf('/v1/sessions', 'key')).toFixed(2)} ×)`, goal: '≥ 0.90 ×', met: keyVsOpen >= 0.9 },
    );
  } finally {
    await bare?.close();
    await t.close();
  }
});
