/**
 * What exporting a large audit log costs the daemon in memory: 200 000 entries written into a stopped
 * daemon's database, then exported as CSV and as JSON Lines through GET /v1/audit/export by a client
 * that reads as fast as it can, while the daemon's resident set (VmRSS of its own process) is sampled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it, expect } from 'vitest';
import { AuditLog } from '../src/audit/audit-log.js';
import { AuditStore } from '../src/store/audit-store.js';
import { openDatabase } from '../src/store/database.js';
import { startTestDaemon } from '../test/support/daemon.js';
import { record } from './report.js';

const ENTRIES = 200_000;
const MASTER = 'audit-export-bench-master-token-0123456789';
const SAMPLE_MS = 20;
const HEAP_CAP_MB = 40;

function rssKib(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

/** Entries like the daemon writes: a key as actor, a session, a digest of a message. */
function fill(stateDir: string): void {
  const db = openDatabase(join(stateDir, 'aegis.db'));
  const log = new AuditLog(new AuditStore(db), { includeText: false, logger: { error: () => {} } });
  db.transaction(() => {
    for (let i = 0; i < ENTRIES; i++) {
      log.record({
        actor: 'key_0123456789abcdef',
        actorName: 'ci-bot',
        action: 'session.send',
        resource: `2b0c7c9e-1f0a-4d0e-9d7a-${String(i).padStart(12, '0')}`,
        ip: '10.0.0.7',
        outcome: 'ok',
        details: { text: log.text(`message number ${i}`), status: 200 },
      });
    }
  })();
  db.close();
}

interface Measured {
  format: string;
  bytes: number;
  lines: number;
  before: number;
  peak: number;
}

async function measure(url: string, format: string, pid: number): Promise<Measured> {
  const before = rssKib(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKib(pid))), SAMPLE_MS);
  let bytes = 0;
  let lines = 0;
  try {
    const response = await fetch(`${url}/v1/audit/export?format=${format}`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(response.status).toBe(200);
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  return { format, bytes, lines, before, peak: Math.max(peak, rssKib(pid)) };
}

it(`exports ${ENTRIES} audit entries`, async () => {
  // The daemon's JavaScript heap is capped below the size of one export: an export held in memory would
  // end the daemon, not only grow it.
  const t = await startTestDaemon({ childProcess: true, config: { authToken: MASTER }, env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}` } });
  try {
    await t.stop();
    fill(t.config.stateDir);
    await t.restart();
    const pid = t.pid!;
    // The whole chain read once (the entries, and the daemon's two config.load), so what a first read
    // costs (statements, caches) is not counted as the export's.
    const verified = (await t.api('GET', '/v1/audit/verify', undefined, { authorization: `Bearer ${MASTER}` })).body;
    expect(verified).toEqual({ ok: true, checked: ENTRIES + 2, firstBrokenId: null });
    const results = [await measure(t.url, 'csv', pid), await measure(t.url, 'jsonl', pid), await measure(t.url, 'csv', pid)];
    // CSV: a header row and one record per entry, each ended by CRLF; JSON Lines: one line per entry.
    expect(results.map((r) => r.lines)).toEqual([verified.checked + 1, verified.checked, verified.checked + 1]);
    const mib = (kib: number) => (kib / 1024).toFixed(1);
    const rows = results.map((r) => `| ${r.format} | ${(r.bytes / 2 ** 20).toFixed(1)} MiB | ${mib(r.before)} MiB | ${mib(r.peak)} MiB | ${mib(r.peak - r.before)} MiB |`);
    record('audit-export', `## Exporting ${ENTRIES.toLocaleString('en')} audit entries

Method: \`bench/audit-export.bench.ts\`. ${ENTRIES.toLocaleString('en')} entries (a key, a session, a message
digest each) are written into a stopped daemon's database; the daemon then runs as \`aegis serve\` in a
process of its own and a client reads \`GET /v1/audit/export\` as fast as it can: CSV, JSON Lines, CSV again.
The daemon's resident set (\`VmRSS\`) is sampled every ${SAMPLE_MS} ms during each export. The daemon runs
with \`NODE_OPTIONS=--max-old-space-size=${HEAP_CAP_MB}\`, a JavaScript heap smaller than one export, so an
export held in memory would end it. Without the cap, V8 lets the heap of a busy daemon grow before it
collects: the same exports then peaked 15 to 70 MiB above the start, with the machine's load (the page
an export reads and the text it hands on are garbage at once, collected late; the pieces are kept under
16 KiB so that none lands in V8's large-object space, which only a full collection frees).

| format | size | RSS before | RSS peak | growth |
|---|---|---|---|---|
${rows.join('\n')}`);
  } finally {
    await t.close();
  }
});
