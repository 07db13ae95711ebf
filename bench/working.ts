/**
 * What working sessions cost, as Claude really works: each session is given a task the fake model
 * answers in steps, each a paragraph of text streamed over some 3 s followed by a tool call (Glob or
 * Grep in the session's directory, which Claude runs without asking), for longer than the measured
 * minute. Read meanwhile: the CPU time of the daemon, its tmux control client, the tmux server and
 * Claude Code, and how often the daemon's main thread woke (its voluntary context switches).
 * `runWorking` takes the sizes, so a reduced form can run as a smoke test; `working.bench.ts` runs the full one.
 */
import { readFileSync } from 'node:fs';
import { defaultResponder, type FakeRequestInfo, type FakeTurn } from '../test/support/fake-anthropic.js';
import { profileDaemons, profiled } from './daemon-profile.js';
import { cpuTable, measureCpu, type CpuWindow } from './process-cpu.js';
import { sessionsAtRest } from './sessions-at-rest.js';
import { openCountingSse } from './sse-counter.js';

/** How long the steps run before the window opens: every prompt taken, every turn under way. */
const LEAD_SECONDS = 5;
const PIECES_PER_STEP = 30;
const PIECE_PAUSE_MS = 100;
const PROMPT = 'Work through the long task.';

export interface WorkingOptions {
  sessions: number;
  /** The measured window. */
  seconds: number;
  /** After every session is idle, before the prompts are sent (Claude Code's start-up tail ends within some 30 s). */
  settleSeconds: number;
}

export interface WorkingResult {
  options: WorkingOptions;
  cpu: CpuWindow;
  /** Voluntary context switches of the daemon's main thread per second: how often it woke. */
  wakesPerSecond: number;
  /** SSE events received in the window, and tool calls Claude made in it (answered requests). */
  events: number;
  toolCalls: number;
}

/** One step's paragraph: about 35 characters a piece, ten pieces a second, some 90 tokens a second. */
function paragraph(step: number): string {
  return Array.from({ length: PIECES_PER_STEP }, (_, i) => `Step ${step + 1}, finding ${i + 1} of the task.${(i + 1) % 6 === 0 ? '\n\n' : ' '}`).join('');
}

type Message = { role?: unknown; content?: unknown };

/** Whether the conversation is the benchmark's task, and how many tool results it holds so far. */
function taskProgress(req: FakeRequestInfo): { task: boolean; steps: number } {
  const messages: Message[] = Array.isArray(req.body?.messages) ? req.body.messages : [];
  let task = false;
  let steps = 0;
  for (const message of messages) {
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') task ||= message.content.includes(PROMPT);
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content as Array<{ type?: unknown; text?: unknown }>) {
      if (block.type === 'tool_result') steps++;
      if (block.type === 'text' && typeof block.text === 'string') task ||= block.text.includes(PROMPT);
    }
  }
  return { task, steps };
}

function taskResponder(steps: number): (req: FakeRequestInfo) => FakeTurn {
  return (req) => {
    const progress = taskProgress(req);
    if (!req.isMain || !progress.task) return defaultResponder(req);
    if (progress.steps >= steps) return { text: 'The task is done.' };
    const tool = progress.steps % 2 === 0 ? { name: 'Glob', input: { pattern: '**/*' } } : { name: 'Grep', input: { pattern: 'finding' } };
    return { text: paragraph(progress.steps), chunks: PIECES_PER_STEP, chunkDelayMs: PIECE_PAUSE_MS, toolUse: tool };
  };
}

function mainThreadSwitches(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

export async function runWorking(options: WorkingOptions): Promise<WorkingResult> {
  const { sessions, seconds, settleSeconds } = options;
  // Steps of some 3 s each, enough for the lead and the window and more.
  const steps = Math.ceil(((LEAD_SECONDS + seconds) * 1000) / (PIECES_PER_STEP * PIECE_PAUSE_MS)) + 5;
  profileDaemons();
  const { t, ids, daemonPid, tmuxPid } = await sessionsAtRest(sessions, { settleSeconds, setup: (t) => t.fake!.setResponder(taskResponder(steps)) });
  try {
    const events = await openCountingSse(`${t.url}/v1/events`);
    const sent = await Promise.all(ids.map((id) => t.api('POST', `/v1/sessions/${id}/send`, { text: PROMPT })));
    const refused = sent.filter((r) => r.body.delivered !== true);
    if (refused.length > 0) throw new Error(`prompts not delivered: ${JSON.stringify(refused.map((r) => r.body))}`);
    await new Promise((resolve) => setTimeout(resolve, LEAD_SECONDS * 1000));
    const started = t.fake!.requests.filter((r) => r.isMain && taskProgress(r).task && taskProgress(r).steps === 0).length;
    const eventsBefore = events.total();
    const requestsBefore = t.fake!.requests.length;
    const switchesBefore = mainThreadSwitches(daemonPid);
    const { result: cpu, profile } = await profiled(daemonPid, () => measureCpu(`${sessions} sessions working`, daemonPid, tmuxPid, seconds));
    if (profile) process.stdout.write(`the daemon's CPU profile over the window: ${profile}\n`);
    const wakesPerSecond = (mainThreadSwitches(daemonPid) - switchesBefore) / seconds;
    const toolCalls = t.fake!.requests.slice(requestsBefore).filter((r) => r.isMain && taskProgress(r).task).length;
    const eventsInWindow = events.total() - eventsBefore;
    const working = (await t.api('GET', '/v1/sessions?status=working')).body.sessions.length as number;
    events.close();
    if (started !== sessions || working !== sessions) {
      throw new Error(`${started} tasks started and ${working} sessions still working at the end: the window was not all work`);
    }
    return { options, cpu, wakesPerSecond, events: eventsInWindow, toolCalls };
  } finally {
    await t.close();
  }
}

export function workingSection(result: WorkingResult): string {
  const { options: { sessions, seconds, settleSeconds }, cpu, wakesPerSecond, events, toolCalls } = result;
  return `## Working: ${sessions} sessions at work for ${seconds} s (text streamed, tools called)

Method: \`bench/working.bench.ts\`. As at rest (daemon in a process of its own, ${sessions} idle sessions of the
real Claude Code, ${settleSeconds} s for Claude Code's start-up to end, one \`/v1/events\` client), then each session is sent
the same task at once (\`POST /send\`, all confirmed). The fake model works it in steps, as Claude does: a paragraph
streamed in ${PIECES_PER_STEP} pieces ${PIECE_PAUSE_MS} ms apart (some 90 tokens a second), then a tool call (Glob or Grep in the
session's directory, run without asking, with its PreToolUse and PostToolUse hooks), then the next step, for longer
than the window. ${LEAD_SECONDS} s after the prompts CPU time is read as at rest (\`bench/idle.bench.ts\`) over ${seconds} s;
at the end all ${sessions} sessions are still working. In the window: ${toolCalls} tool calls answered, ${events} SSE events,
and the daemon's main thread woke ${wakesPerSecond.toFixed(0)} times a second (voluntary context switches).

${cpuTable([cpu])}`;
}

/** The daemon's CPU time per minute in the window. */
export function daemonWorkingMsPerMinute(result: WorkingResult): number {
  return (result.cpu.groups.daemon.ms * 60) / result.cpu.seconds;
}
