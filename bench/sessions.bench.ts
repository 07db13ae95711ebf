/**
 * How long a session takes from POST /v1/sessions with a prompt to: the 201 (Claude started and took
 * the prompt), the first assistant message on the SSE stream, and idle with the whole reply. The turn
 * has two model calls, as a working turn does: a short answer that reads a file, then a final reply.
 * The fake model streams both over a known time, so the three moments are apart by what they should be.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { defaultResponder, type FakeRequestInfo, type FakeTurn } from '../test/support/fake-anthropic.js';
import { openSse } from '../test/support/sse.js';
import { LATENCY_TABLE, latencyRow, record } from './report.js';

// Fewer than before (12 and 6): the whole suite must stay well under its 15 minutes on a slow machine.
const RUNS = 8;
const LONG_RUNS = 4;
const PIECE_PAUSE_MS = 300;
const FIRST_PIECES = 3;
const FINAL_PIECES = 5;
const PROMPT = /^Summarise notes (\d+) for me\.$/;
/** A prompt of a more usual length, answered at once by the fake (only its 201 is timed). */
const LONG_PROMPT = 'Summarise the notes in the work directory for me, all of them now.';

/** The notes file of each run, by the number its prompt names. */
const notesFiles = new Map<number, string>();

/** The turn: text and a Read of the run's notes file, then (with the file's content back) the final reply. */
function benchTurn(req: FakeRequestInfo): FakeTurn {
  const run = req.lastUserText.trim().match(PROMPT)?.[1];
  const path = run === undefined ? undefined : notesFiles.get(Number(run));
  if (req.isMain && path) {
    return { text: 'Reading the notes first.', chunks: FIRST_PIECES, chunkDelayMs: PIECE_PAUSE_MS, toolUse: { name: 'Read', input: { file_path: path } } };
  }
  if (req.isMain && req.toolResults.length > 0) {
    const text = Array.from({ length: FINAL_PIECES }, (_, i) => `Summary part ${i + 1} of ${FINAL_PIECES}.`).join(' ');
    return { text, chunks: FINAL_PIECES, chunkDelayMs: PIECE_PAUSE_MS };
  }
  return defaultResponder(req);
}

it('create with a prompt: to 201, to the first assistant message, to idle', async () => {
  const t = await startTestDaemon({ claude: true });
  try {
    t.fake!.setResponder(benchTurn);
    const events = await openSse(`${t.url}/v1/events`);
    const created: number[] = [];
    const firstMessage: number[] = [];
    const toIdle: number[] = [];
    let retried = 0;
    for (let i = 0; i < RUNS; i++) {
      const workDir = t.workDir();
      const notes = join(workDir, 'notes.txt');
      writeFileSync(notes, `Notes for run ${i}.\n`);
      notesFiles.set(i, notes);
      const begin = performance.now();
      const res = await t.api('POST', '/v1/sessions', { workDir, prompt: `Summarise notes ${i} for me.` });
      created.push(performance.now() - begin);
      const id = res.body.id as string;
      if (res.status !== 201 || res.body.promptDelivery?.delivered !== true) throw new Error(`create ${i} answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (res.body.promptDelivery.attempts > 1) retried++;
      await events.waitFor((e) => e.event === 'message' && e.data.sessionId === id && e.data.role === 'assistant');
      firstMessage.push(performance.now() - begin);
      await events.waitFor((e) => e.event === 'status_changed' && e.data.sessionId === id && e.data.from === 'working' && e.data.to === 'idle');
      toIdle.push(performance.now() - begin);
      await t.api('DELETE', `/v1/sessions/${id}`);
    }

    const longCreated: number[] = [];
    let longRetried = 0;
    for (let i = 0; i < LONG_RUNS; i++) {
      const begin = performance.now();
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: LONG_PROMPT });
      longCreated.push(performance.now() - begin);
      const id = res.body.id as string;
      if (res.status !== 201 || res.body.promptDelivery?.delivered !== true) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (res.body.promptDelivery.attempts > 1) longRetried++;
      await events.waitFor((e) => e.event === 'status_changed' && e.data.sessionId === id && e.data.from === 'working' && e.data.to === 'idle');
      await t.api('DELETE', `/v1/sessions/${id}`);
    }
    events.close();

    record('sessions', `## Sessions: from create to the reply

Method: \`bench/sessions.bench.ts\`, daemon in the benchmark's process. ${RUNS} times, one after the other,
each in a new work directory: \`POST /v1/sessions\` with the prompt "Summarise notes <n> for me.", timed
from sending the request to (1) the \`201\` response, which comes once Claude has started and confirmed
the prompt (its UserPromptSubmit hook) and the prompt is in the transcript; (2) the first \`message\` event
with role \`assistant\` for the session on a \`/v1/events\` SSE client; (3) the SSE event \`status_changed\`
working→idle. The turn makes two model calls, both streamed by the fake with ${PIECE_PAUSE_MS} ms after
each piece: a short text in ${FIRST_PIECES} pieces (${FIRST_PIECES * PIECE_PAUSE_MS} ms) with a Read of the file (no
permission asked), then the final reply in ${FINAL_PIECES} pieces (${FINAL_PIECES * PIECE_PAUSE_MS} ms). Claude Code writes an
assistant text to its transcript once its block is complete, so (2) comes at least
${FIRST_PIECES * PIECE_PAUSE_MS} ms after Claude took the prompt and (3) at least ${FINAL_PIECES * PIECE_PAUSE_MS} ms after (2); the rest is Claude, tmux and Aegis.
${retried} of ${RUNS} prompts were confirmed only at the second delivery attempt (the first is given 5 s).
Then ${LONG_RUNS} times the same create with a ${LONG_PROMPT.length}-character prompt, answered at once, timed to the \`201\`:
${longRetried} of ${LONG_RUNS} of these were confirmed only at the second attempt.

${LATENCY_TABLE}
${latencyRow('`POST /v1/sessions` with a prompt → `201` (prompt confirmed)', created)}
${latencyRow('`POST /v1/sessions` → first assistant `message` on SSE', firstMessage)}
${latencyRow('`POST /v1/sessions` → `status_changed` working→idle', toIdle)}
${latencyRow(`\`POST /v1/sessions\` with a ${LONG_PROMPT.length}-character prompt → \`201\``, longCreated)}`);
  } finally {
    await t.close();
  }
});
