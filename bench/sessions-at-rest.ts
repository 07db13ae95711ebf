/**
 * The start of the CPU benchmarks: a daemon of its own process (`aegis serve`, as in production, so
 * its CPU time is its own and not the benchmark's) with sessions of the real Claude Code, all idle.
 */
import type { Config } from '../src/config/schema.js';
import { startTestDaemon, type TestDaemon } from '../test/support/daemon.js';
import { waitFor } from '../test/support/wait-for.js';
import { cpuBetween, cpuSnapshot, tmuxServerPid } from './process-cpu.js';

/** After every session is idle, before anything is measured (as on 2026-11-23). */
export const SETTLE_SECONDS = 5;
/**
 * Then until Claude Code is done starting: its processes together use at most this much CPU per
 * session and second over a probe (an idle Claude uses 1–2 ms), or the deadline passes. A window
 * that caught the tail of Claude's start-up once measured 156 ms a minute for 10 idle sessions'
 * daemon (32 in the next run): the daemon answers what Claude draws.
 */
const QUIET_CLAUDE_MS_PER_SECOND = 5;
const QUIET_PROBE_MS = 2000;
const QUIET_DEADLINE_MS = 30_000;

export interface SessionsAtRest {
  t: TestDaemon;
  ids: string[];
  daemonPid: number;
  tmuxPid: number;
}

export interface AtRestOptions {
  settleSeconds?: number;
  setup?: (t: TestDaemon) => void;
  /** The daemon's configuration beyond the test defaults (the Claude command, SSE limits). */
  config?: Partial<Config>;
}

export async function sessionsAtRest(count: number, { settleSeconds = SETTLE_SECONDS, setup = () => {}, config = {} }: AtRestOptions = {}): Promise<SessionsAtRest> {
  const t = await startTestDaemon({ claude: true, childProcess: true, config });
  try {
    setup(t);
    const ids = await addSessionsAtRest(t, count, settleSeconds);
    return { t, ids, daemonPid: t.pid!, tmuxPid: tmuxServerPid(t.config.tmuxSocket) };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/**
 * Creates `count` more sessions on a running daemon, waits until every session it has is idle, then
 * `settleSeconds` more; returns the new sessions' ids.
 */
export async function addSessionsAtRest(t: TestDaemon, count: number, settleSeconds = SETTLE_SECONDS): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
    ids.push(res.body.id as string);
  }
  const total = (await t.api('GET', '/v1/sessions')).body.sessions.length as number;
  // Claude Code takes a few seconds each to start on a loaded machine: the deadline grows with the count.
  await waitFor(async () => (await t.api('GET', '/v1/sessions?status=idle')).body.sessions.length === total, {
    timeoutMs: 60_000 + total * 2000,
    intervalMs: 250,
    what: 'every session idle',
  });
  await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
  await untilClaudeQuiet(t, total);
  return ids;
}

async function untilClaudeQuiet(t: TestDaemon, sessions: number): Promise<void> {
  const tmuxPid = tmuxServerPid(t.config.tmuxSocket);
  const daemonPid = t.pid ?? process.pid;
  const deadline = Date.now() + QUIET_DEADLINE_MS;
  while (Date.now() < deadline) {
    const before = cpuSnapshot(daemonPid, tmuxPid);
    await new Promise((resolve) => setTimeout(resolve, QUIET_PROBE_MS));
    const claudeMs = cpuBetween(before, cpuSnapshot(daemonPid, tmuxPid)).claude.ms;
    if (claudeMs / sessions / (QUIET_PROBE_MS / 1000) <= QUIET_CLAUDE_MS_PER_SECOND) return;
  }
}
