/**
 * What idle sessions cost while nothing happens: CPU per minute of the daemon (a process of its own),
 * its tmux control client, the tmux server and Claude Code, and the resident set and open descriptors
 * of the daemon and the tmux server. `runIdle` is the whole measure at any size (the smoke test runs a
 * small one); bench/idle.bench.ts runs 10 and 50 sessions.
 */
import { measureCpu, type CpuWindow } from './process-cpu.js';
import { processMemory, type ProcessMemory } from './process-memory.js';
import { sessionsAtRest, type SessionsAtRest } from './sessions-at-rest.js';
import { openCountingSse } from './sse-counter.js';

export interface IdleMeasure {
  sessions: number;
  cpu: CpuWindow;
  daemon: ProcessMemory;
  tmuxServer: ProcessMemory;
  /** Events a `/v1/events` client received in the window (none are expected). */
  events: number;
}

/** One window of `seconds` over the sessions of `rest`, with a `/v1/events` client attached. */
export async function measureIdle(rest: SessionsAtRest, seconds: number): Promise<IdleMeasure> {
  const client = await openCountingSse(`${rest.t.url}/v1/events`);
  try {
    const sessions = (await rest.t.api('GET', '/v1/sessions')).body.sessions.length as number;
    const cpu = await measureCpu(`${sessions} sessions idle`, rest.daemonPid, rest.tmuxPid, seconds);
    return { sessions, cpu, daemon: processMemory(rest.daemonPid), tmuxServer: processMemory(rest.tmuxPid), events: client.total() };
  } finally {
    client.close();
  }
}

export interface IdleSizes {
  sessions: number;
  seconds: number;
  /** After every session is idle, before the window: the end of Claude Code's start-up is not counted. */
  settleSeconds: number;
}

/** A daemon with `sessions` idle sessions of the real Claude Code, measured once, then closed. */
export async function runIdle({ sessions, seconds, settleSeconds }: IdleSizes): Promise<IdleMeasure> {
  const rest = await sessionsAtRest(sessions, { settleSeconds });
  try {
    return await measureIdle(rest, seconds);
  } finally {
    await rest.t.close();
  }
}

/** The daemon's CPU time per minute in a window. */
export const daemonMsPerMinute = (m: IdleMeasure) => (m.cpu.groups.daemon.ms * 60) / m.cpu.seconds;
