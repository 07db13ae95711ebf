/**
 * What ten working sessions cost: each streams a long reply from the fake model for the whole
 * measured minute, while the CPU time of the daemon, its tmux control client, the tmux server and
 * Claude Code is read.
 */
import { it } from 'vitest';
import { defaultResponder, type FakeRequestInfo, type FakeTurn } from '../test/support/fake-anthropic.js';
import { cpuTable, measureCpu } from './process-cpu.js';
import { record } from './report.js';
import { sessionsAtRest } from './sessions-at-rest.js';
import { openCountingSse } from './sse-counter.js';

const SESSIONS = 10;
const SECONDS = 60;
/** Idle sessions finish Claude Code's start-up within some 30 s (bench/idle.bench.ts): its cost is not counted here. */
const SETTLE_SECONDS = 30;
/** How long the streams run before the window opens: every prompt taken, every stream under way. */
const LEAD_SECONDS = 5;
const PIECES = 1200;
const PIECE_PAUSE_MS = 100;
const PROMPT = 'Write the long report.';

/** About 35 characters a piece, ten pieces a second: some 90 tokens a second, a fast model's pace. */
const LONG_REPLY = Array.from({ length: PIECES }, (_, i) => `Sentence ${i + 1} of the long report.${(i + 1) % 6 === 0 ? '\n\n' : ' '}`).join('');

function longTurn(req: FakeRequestInfo): FakeTurn {
  if (req.isMain && req.lastUserText.trim() === PROMPT) return { text: LONG_REPLY, chunks: PIECES, chunkDelayMs: PIECE_PAUSE_MS };
  return defaultResponder(req);
}

it('ten sessions streaming a long reply for a minute', async () => {
  const { t, ids, daemonPid, tmuxPid } = await sessionsAtRest(SESSIONS, { settleSeconds: SETTLE_SECONDS, setup: (t) => t.fake!.setResponder(longTurn) });
  try {
    const events = await openCountingSse(`${t.url}/v1/events`);
    const sent = await Promise.all(ids.map((id) => t.api('POST', `/v1/sessions/${id}/send`, { text: PROMPT })));
    const refused = sent.filter((r) => r.body.delivered !== true);
    if (refused.length > 0) throw new Error(`prompts not delivered: ${JSON.stringify(refused.map((r) => r.body))}`);
    await new Promise((resolve) => setTimeout(resolve, LEAD_SECONDS * 1000));
    const streams = t.fake!.requests.filter((r) => r.isMain && r.lastUserText.trim() === PROMPT).length;
    const eventsBefore = events.total();
    const cpu = await measureCpu(`${SESSIONS} sessions working`, daemonPid, tmuxPid, SECONDS);
    const eventsInWindow = events.total() - eventsBefore;
    const working = (await t.api('GET', '/v1/sessions?status=working')).body.sessions.length as number;
    events.close();
    if (streams !== SESSIONS || working !== SESSIONS) {
      throw new Error(`${streams} streams started and ${working} sessions still working at the end: the window was not all work`);
    }
    const streamSeconds = (PIECES * PIECE_PAUSE_MS) / 1000;
    record('working', `## Working: ${SESSIONS} sessions streaming a reply for ${SECONDS} s

Method: \`bench/working.bench.ts\`. As at rest (daemon in a process of its own, ${SESSIONS} idle sessions of the
real Claude Code, ${SETTLE_SECONDS} s for Claude Code's start-up to end, one \`/v1/events\` client), then each session is sent the same prompt
at once (\`POST /send\`, all confirmed). The fake model answers it with one text of ${LONG_REPLY.length} characters streamed in
${PIECES} pieces, ${PIECE_PAUSE_MS} ms apart (${streamSeconds} s; ~35 characters a piece, some 90 tokens a second, a fast model's
pace), so Claude Code draws the reply as it grows. ${LEAD_SECONDS} s after the prompts, with every stream running,
CPU time is read as at rest (\`bench/idle.bench.ts\`) over ${SECONDS} s; at the end all ${SESSIONS} sessions are still working. The SSE client
received ${eventsInWindow} events in the window (Claude writes the text to its transcript only when it is complete).

${cpuTable([cpu])}`);
  } finally {
    await t.close();
  }
});
