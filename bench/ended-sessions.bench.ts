/**
 * What 1 000 ended sessions hold in the daemon's memory, and what is left once the retention sweep
 * (`sessionRetention.memoryMinutes`) let them go: the daemon runs in the benchmark's process, so its
 * heap and RSS are read there, after a forced GC.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { standInClaude } from '../test/support/stand-in.js';
import { waitFor } from '../test/support/wait-for.js';
import { record } from './report.js';

const SESSIONS = 1000;
const MESSAGES = 250;
const MB = 1024 * 1024;

interface Memory {
  heapUsed: number;
  rss: number;
}

/** Heap and RSS after a full GC (and after what the sweep closed has let go: a turn of the event loop). */
async function memory(): Promise<Memory> {
  if (!globalThis.gc) throw new Error('run with --expose-gc (bench/vitest.config.ts does)');
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** A transcript of `MESSAGES` turns of a user and an assistant, as Claude writes them. */
function transcript(id: string): string {
  const lines: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    const content = role === 'user' ? `question ${i}: ${'why '.repeat(40)}` : [{ type: 'text', text: `answer ${i}: ${'because '.repeat(40)}` }];
    lines.push(JSON.stringify({ type: role, message: { role, content }, uuid: `${id}-${i}`, timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), sessionId: id }));
  }
  return `${lines.join('\n')}\n`;
}

it(`${SESSIONS} ended sessions, read, then released from memory`, async () => {
  const t = await startTestDaemon({ config: { claudeCommand: standInClaude(), sessionRetention: { memoryMinutes: 60 } } });
  try {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const { id, tmux } = created.body as { id: string; tmux: { paneId: string } };
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
    process.kill(Number(execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', tmux.paneId, '#{pane_pid}']).toString().trim()), 'SIGKILL');
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'exited', { what: 'the session to exit' });
    await t.stop();

    // 1 000 copies of its record, each with a transcript of its own, for the next daemon to adopt.
    const db = new Database(join(t.config.stateDir, 'aegis.db'));
    const template = JSON.parse((db.prepare('SELECT record FROM sessions WHERE id = ?').get(id) as { record: string }).record) as Record<string, unknown> & { transcriptPath: string };
    const folder = dirname(template.transcriptPath);
    mkdirSync(folder, { recursive: true });
    const insert = db.prepare('INSERT INTO sessions (id, record, updated_at) VALUES (?, ?, ?)');
    let transcriptBytes = 0;
    db.transaction(() => {
      for (let i = 0; i < SESSIONS; i++) {
        const copy = randomUUID();
        const transcriptPath = join(folder, `${copy}.jsonl`);
        const text = transcript(copy);
        transcriptBytes = Buffer.byteLength(text);
        writeFileSync(transcriptPath, text);
        insert.run(copy, JSON.stringify({ ...template, id: copy, name: `ended-${i}`, transcriptPath, earlierTranscripts: [] }), new Date().toISOString());
      }
    })();
    db.close();

    await t.restart();
    const before = await memory();
    const { supervisor } = t.daemon;
    const ids = (await t.api('GET', '/v1/sessions?status=exited')).body.sessions.map((s: { id: string }) => s.id) as string[];
    for (const each of ids) {
      const page = await t.api('GET', `/v1/sessions/${each}/read?after=${MESSAGES - 100}`);
      if (page.status !== 200) throw new Error(`read answered ${page.status}`);
    }
    const held = await memory();
    const inMemory = supervisor.inMemoryCount;
    supervisor.tick(Date.now() + 61 * 60_000);
    const released = await memory();
    const left = supervisor.inMemoryCount;
    const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;
    record('ended-sessions', `## Memory: ${SESSIONS} ended sessions released

Method: \`bench/ended-sessions.bench.ts\`. The daemon runs in the benchmark's process. ${SESSIONS + 1} exited
sessions are in the store, each with a transcript of ${MESSAGES} messages (${(transcriptBytes / 1024).toFixed(0)} KiB); a
restarted daemon adopts them all into memory, and each is read (\`/read\`, the last 100 messages). Then
the retention sweep runs with its clock past \`sessionRetention.memoryMinutes\` (60) and lets them go.
Heap and RSS are read after a forced GC.

| moment | sessions in memory | heap used | RSS |
|---|---|---|---|
| adopted, not yet read | ${SESSIONS + 1} | ${mb(before.heapUsed)} | ${mb(before.rss)} |
| every one read | ${inMemory} | ${mb(held.heapUsed)} | ${mb(held.rss)} |
| after the sweep | ${left} | ${mb(released.heapUsed)} | ${mb(released.rss)} |

The heap the sessions held, ${mb(held.heapUsed - released.heapUsed)}, is free again. RSS does not fall: V8 keeps the pages
it had, and later sessions are held in them rather than in new ones.`);
  } finally {
    await t.close();
  }
});
