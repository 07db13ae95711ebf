/**
 * How soon a text sent to a session shows it `working`, against Claude's own floor measured in the
 * same run: a raw Claude Code (no Aegis) in a private tmux, its text typed and shown, timed from
 * Enter to its UserPromptSubmit hook reaching a bare HTTP server. Aegis is timed from `POST /send` to
 * the `status_changed` → working event on an SSE client (typing, waiting for Claude to draw the
 * text, Enter, the hook, the event), with 1 session and with 10 sending at once (against 10 raw
 * Claudes at once: on a small machine 10 Claudes take its cores, and their own submit slows). Then how many
 * delivery attempts a 66-character and a multi-line prompt need, given at start-up (create with a
 * prompt) and at an idle prompt. `runSendLatency` takes the sizes, so a reduced form can run as a
 * smoke test; `send-latency.bench.ts` runs the full one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScreen } from '../src/claude/screen.js';
import type { Timing } from '../src/sessions/timing.js';
import { TmuxServer } from '../src/tmux/tmux-server.js';
import { claudeHome } from '../test/support/claude-pane.js';
import { CLAUDE_BIN, startTestDaemon, type TestDaemon } from '../test/support/daemon.js';
import { killTmuxServer, uniqueSocket } from '../test/support/tmux.js';
import { waitFor } from '../test/support/wait-for.js';
import { jsonRequest } from './lean-http.js';
import { LATENCY_TABLE, latencyRow } from './report.js';
import { openCountingSse } from './sse-counter.js';

export interface SendLatencyOptions {
  /** Samples for each latency row (the floor, 1 session, 10 sessions). */
  events: number;
  /** Sessions sending at once in the second row. */
  sessions: number;
  /** Deliveries of each prompt counted for attempts, at start-up and at an idle prompt. */
  deliveries: number;
  /** Timing policies changed for an experiment (the defaults otherwise). */
  timing?: Partial<Timing>;
}

export interface SendLatencyResult {
  options: SendLatencyOptions;
  floor: number[];
  /** Raw Claude given each text as Aegis gives it (pasted, Enter at once), timed from the paste to the hook. */
  atOnce: number[];
  /** The floor with as many raw Claudes at once as there are sessions in `many`. */
  floorMany: number[];
  one: number[];
  many: number[];
  /** Deliveries that needed more than one attempt, by case, out of `deliveries`. */
  retried: Record<string, number>;
}

/** 66 characters, as a usual prompt. */
export const PROMPT_66 = 'Summarise the notes in the work directory for me, all of them now.';
/** 5 lines: more than a single paste of which Claude keeps the text as it is (see typingActions). */
export const PROMPT_LINES = 'Read the notes first.\nThen list what they ask for.\nThen say which one comes first.\nThen say why.\nThen stop.';

/** Resolves each waiter of a session's next `working`, with the moment its event arrived. */
class WorkingEvents {
  private readonly waiters = new Map<string, (at: number) => void>();
  private readonly idle = new Map<string, () => void>();

  onEvent(type: string, data: { sessionId?: string; to?: string }): void {
    if (type !== 'status_changed' || !data.sessionId) return;
    const at = performance.now();
    if (data.to === 'working') this.waiters.get(data.sessionId)?.(at);
    if (data.to === 'idle') this.idle.get(data.sessionId)?.();
  }

  next(sessionId: string): { working: Promise<number>; idle: Promise<void> } {
    const working = new Promise<number>((resolve) => this.waiters.set(sessionId, resolve));
    const idle = new Promise<void>((resolve) => this.idle.set(sessionId, resolve));
    return { working, idle };
  }
}

/** One session's round of sends: each timed from the request to its `working` event, then the turn waited out. */
async function timeSends(t: TestDaemon, working: WorkingEvents, id: string, count: number, label: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const next = working.next(id);
    const begin = performance.now();
    const sent = jsonRequest('POST', `${t.url}/v1/sessions/${id}/send`, { text: `${label} ${i}: say ok.` });
    samples.push((await withDeadline(next.working, `${label} ${i} to show working`)) - begin);
    const res = await sent;
    if (res.body.delivered !== true) {
      const session = (await t.api('GET', `/v1/sessions/${id}`)).body as { exit?: unknown };
      throw new Error(`send ${i} not delivered: ${JSON.stringify(res.body)}; the session's exit: ${JSON.stringify(session.exit)}`);
    }
    await withDeadline(next.idle, `${label} ${i} to end its turn`);
  }
  return samples;
}

async function withDeadline<T>(promise: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function createIdle(t: TestDaemon, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
    ids.push(res.body.id as string);
  }
  await waitFor(async () => {
    const idle = (await t.api('GET', '/v1/sessions?status=idle')).body.sessions as Array<{ id: string }>;
    return ids.every((id) => idle.some((s) => s.id === id));
  }, { timeoutMs: 90_000, what: 'the sessions to be idle' });
  return ids;
}

/**
 * Claude's floor: raw Claudes, each text typed and drawn, timed from Enter to its UserPromptSubmit
 * hook. With several, each sends its own texts one after the other, all at once, as the sessions do.
 * Given `at once`, each text is pasted with its Enter right after, as Aegis gives it, and timed from
 * the paste: that includes the moment Claude takes to take the text in before Enter can submit it.
 */
async function measureFloor(fakeUrl: string, count: number, claudes = 1, given: 'drawn' | 'at once' = 'drawn'): Promise<number[]> {
  const root = mkdtempSync(join(tmpdir(), 'aegis-floor-'));
  const socket = uniqueSocket('aegis-floor');
  // By `<event>/<claude>`: which hook of which Claude is awaited.
  const hooks = new Map<string, () => void>();
  const server: Server = createServer((req, res) => {
    const at = hooks.get(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    at?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const tmux = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'floor', cols: 160, rows: 50, commandTimeoutMs: 10_000, env: process.env, identity: 'floor', captureDir: join(root, 'captures') });
  try {
    const panes: string[] = [];
    for (let n = 0; n < claudes; n++) {
      const { workDir, env } = claudeHome(join(root, String(n)), fakeUrl);
      const hook = (event: string) => [{ matcher: '*', hooks: [{ type: 'http', url: `http://127.0.0.1:${port}/${event}/${n}`, timeout: 30 }] }];
      const settings = join(root, `settings-${n}.json`);
      writeFileSync(settings, JSON.stringify({ hooks: { UserPromptSubmit: hook('UserPromptSubmit'), Stop: hook('Stop') } }));
      panes.push((await tmux.newWindow({ name: `claude-${n}`, cwd: workDir, env, owner: 'floor', argv: [CLAUDE_BIN, '--settings', settings, '--permission-mode', 'default'] })).paneId);
    }
    for (const paneId of panes) await waitFor(async () => parseScreen(await tmux.capture(paneId)).kind === 'idle', { timeoutMs: 60_000, what: 'the raw Claude to be idle' });
    const sends = async (paneId: string, n: number, texts: number): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < texts; i++) {
        const text = `Floor ${n} ${i}: say ok.`;
        const submitted = new Promise<number>((resolve) => hooks.set(`UserPromptSubmit/${n}`, () => resolve(performance.now())));
        const stopped = new Promise<void>((resolve) => hooks.set(`Stop/${n}`, resolve));
        let begin = performance.now();
        if (given === 'at once') {
          // As a session's send waits for `idle`: Claude has finished drawing the last turn's end.
          await waitFor(async () => isIdlePrompt(await tmux.capture(paneId)), { timeoutMs: 30_000, what: 'the raw Claude to show an empty prompt' });
          begin = performance.now();
          await tmux.paste(paneId, text);
        } else {
          await tmux.typeText(paneId, text);
          await waitFor(async () => (await tmux.capture(paneId)).includes(text), { timeoutMs: 30_000, what: 'the raw Claude to draw the text' });
          begin = performance.now();
        }
        await tmux.pressKeys(paneId, 'Enter');
        samples.push((await withDeadline(submitted, `floor ${n} ${i}'s UserPromptSubmit`)) - begin);
        await withDeadline(stopped, `floor ${n} ${i}'s Stop`);
      }
      return samples;
    };
    return (await Promise.all(panes.map((paneId, n) => sends(paneId, n, Math.ceil(count / claudes))))).flat();
  } finally {
    await tmux.close();
    killTmuxServer(socket);
    server.close();
    // Claude, ended with the tmux server, may still be writing its last files for a moment.
    await waitFor(() => {
      rmSync(root, { recursive: true, force: true });
      return true;
    }, { timeoutMs: 15_000, what: `${root} to be removed` });
  }
}

function isIdlePrompt(text: string): boolean {
  const screen = parseScreen(text);
  return screen.kind === 'idle' && screen.input.trim() === '';
}

/** How many of `count` deliveries of `text` needed more than one attempt, at start-up (create) or at an idle prompt. */
async function retriedDeliveries(t: TestDaemon, text: string, count: number, where: 'start-up' | 'idle', idleId: string): Promise<number> {
  let retried = 0;
  for (let i = 0; i < count; i++) {
    if (where === 'start-up') {
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: text });
      const delivery = res.body.promptDelivery as { delivered: boolean; attempts: number } | undefined;
      if (res.status !== 201 || delivery?.delivered !== true) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (delivery.attempts > 1) retried++;
      await waitFor(async () => (await t.api('GET', `/v1/sessions/${res.body.id as string}`)).body.status === 'idle', { timeoutMs: 60_000, what: 'the turn to end' });
      await t.api('DELETE', `/v1/sessions/${res.body.id as string}`);
    } else {
      const res = await t.api('POST', `/v1/sessions/${idleId}/send`, { text });
      if (res.body.delivered !== true) throw new Error(`send not delivered: ${JSON.stringify(res.body)}`);
      if ((res.body.attempts as number) > 1) retried++;
      await waitFor(async () => (await t.api('GET', `/v1/sessions/${idleId}`)).body.status === 'idle', { timeoutMs: 60_000, what: 'the turn to end' });
    }
  }
  return retried;
}

export async function runSendLatency(options: SendLatencyOptions): Promise<SendLatencyResult> {
  const { events, sessions, deliveries } = options;
  const t = await startTestDaemon({ claude: true, ...(options.timing ? { timing: options.timing } : {}) });
  const working = new WorkingEvents();
  const sse = await openCountingSse(`${t.url}/v1/events`, (type, data) => working.onEvent(type, data));
  try {
    const floor = await measureFloor(t.fake!.url, events);
    // Half as many: a comparison for the floor, not a figure of its own (the whole suite must stay well under 15 minutes).
    const atOnce = await measureFloor(t.fake!.url, Math.ceil(events / 2), 1, 'at once');
    const floorMany = await measureFloor(t.fake!.url, events, sessions);
    const ids = await createIdle(t, sessions);
    const one = await timeSends(t, working, ids[0]!, events, 'One');
    const rounds = Math.ceil(events / sessions);
    const many = (await Promise.all(ids.map((id, n) => timeSends(t, working, id, rounds, `Many ${n}`)))).flat();
    const retried: Record<string, number> = {};
    for (const [name, text] of [['66 characters', PROMPT_66], ['5 lines', PROMPT_LINES]] as const) {
      retried[`${name}, at start-up`] = await retriedDeliveries(t, text, deliveries, 'start-up', ids[0]!);
      retried[`${name}, at an idle prompt`] = await retriedDeliveries(t, text, deliveries, 'idle', ids[0]!);
    }
    return { options, floor, atOnce, floorMany, one, many, retried };
  } finally {
    sse.close();
    await t.close();
  }
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

export function sendLatencySection(result: SendLatencyResult): string {
  const { options: { events, sessions, deliveries }, floor, atOnce, floorMany, one, many, retried } = result;
  const over = (samples: number[], base: number[]) => `${(median(samples) - median(base)).toFixed(0)} ms`;
  return `## Send → \`working\`, against Claude's own floor

Method: \`bench/send-latency.ts\`, daemon in the benchmark's process, fake model answering at once. The floor: a raw
Claude Code (no Aegis) in a private tmux with an HTTP UserPromptSubmit hook to a bare HTTP server; each of ${events}
texts is typed, shown on its screen, and timed from Enter to the hook's arrival. Claude given the text at once: the
same raw Claude, each text pasted (a bracketed paste) with Enter right after it, as Aegis gives text, timed from the
paste to the hook. Aegis: \`POST /v1/sessions/:id/send\` timed to the \`status_changed\` → working event on a
\`/v1/events\` client (the paste, Enter, the hook, the event; both requests by node:http, \`bench/lean-http.ts\`: \`fetch\` and a web
stream in the same process added about a millisecond each), ${events} sends one after the other on 1 session, then
${sessions} sessions sending at once (${Math.ceil(events / sessions)} each), against ${sessions} raw Claudes in the private tmux doing the same at
once: with ${sessions} Claudes reacting to their keys on this machine's cores, Claude's own submit slows as much as anything
around it. Each turn is waited out before the next send.

${LATENCY_TABLE}
${latencyRow("Claude's floor: Enter → UserPromptSubmit (raw Claude)", floor)}
${latencyRow('Claude given the text at once: paste and Enter → UserPromptSubmit (raw Claude)', atOnce)}
${latencyRow('1 session: `POST /send` → `working` on SSE', one)}
${latencyRow(`Claude's floor, ${sessions} raw Claudes at once`, floorMany)}
${latencyRow(`${sessions} sessions at once: \`POST /send\` → \`working\` on SSE`, many)}

Median over the floor: ${over(one, floor)} with 1 session, ${over(many, floorMany)} with ${sessions} (against ${sessions} raw Claudes at once). Over
Claude given the text at once: ${over(one, atOnce)} with 1 session.

Claude takes a moment to take text in before an Enter can submit it, and no client can skip it: given
at once, the paste and its Enter took ${over(atOnce, floor)} more than Enter alone after the text was drawn. Measured
apart (2026-12-07, 40 single-line texts on an idle machine, medians of two runs): the paste until Claude
draws it, 8.6–9.0 ms; Enter after the draw → UserPromptSubmit, 9.2–9.9 ms; the two given at once, 18.7–22.9 ms.
Claude draws at its next frame, and an Enter sent before acts no sooner. So the margin over the floor
is that moment, and Aegis's own part is the margin over Claude given the text at once: the request
reaching the session (0.6–0.9 ms from the client's call, traced 2026-12-07), the tmux commands of the paste
and Enter (set-buffer and paste-buffer written together, 0.6 ms to the paste's reply), and the hook → the
event on the client (1.4–1.9 ms, of which the event is written 0.5 ms after the hook's body arrived: the
status is published before the record is saved and the transcript read). The ${sessions}-session figure also includes the paste and Claude taking it in, both
waiting for a core while ${sessions} Claudes redraw; the floor starts at Enter.

Deliveries that needed more than one attempt (of ${deliveries} each; a 66-character prompt and one of 5 lines, given with
\`POST /v1/sessions\` while Claude starts, and with \`POST /send\` at an idle prompt):

| prompt | needed a second attempt |
|---|---|
${Object.entries(retried).map(([name, n]) => `| ${name} | ${n} of ${deliveries} |`).join('\n')}`;
}
