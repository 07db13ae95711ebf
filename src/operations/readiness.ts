/**
 * Whether the daemon can take new work now, for a load balancer: a create would reach tmux, the store
 * takes writes, and there is room under maxSessions. Each reason names the error code a create would
 * have been refused with. `/v1/health` says whether the daemon is up; this says whether to send it
 * sessions.
 */
import { errorMessage } from '../errors.js';
import type { Supervisor } from '../sessions/supervisor.js';
import type { TmuxServer } from '../tmux/tmux-server.js';

export type NotReadyCode = 'TMUX_UNAVAILABLE' | 'STORE_UNAVAILABLE' | 'MAX_SESSIONS';

export interface NotReadyReason {
  code: NotReadyCode;
  message: string;
}

export type Readiness = { ready: true } | { ready: false; reasons: NotReadyReason[] };

export interface ReadinessSources {
  supervisor: Pick<Supervisor, 'atCapacity'>;
  tmux: Pick<TmuxServer, 'connect' | 'responds'>;
  /** Writes to the store; throws when it takes no writes. */
  proveStoreWritable: () => void;
  maxSessions: number;
  /** How long tmux has to answer the probe health uses too. */
  tmuxProbeTimeoutMs: number;
}

export async function checkReadiness({ supervisor, tmux, proveStoreWritable, maxSessions, tmuxProbeTimeoutMs }: ReadinessSources): Promise<Readiness> {
  const reasons: NotReadyReason[] = [];
  const tmuxProblem = await tmuxTrouble(tmux, tmuxProbeTimeoutMs);
  if (tmuxProblem) reasons.push({ code: 'TMUX_UNAVAILABLE', message: tmuxProblem });
  try {
    proveStoreWritable();
  } catch (err) {
    reasons.push({ code: 'STORE_UNAVAILABLE', message: errorMessage(err) });
  }
  if (supervisor.atCapacity()) {
    reasons.push({ code: 'MAX_SESSIONS', message: `the daemon runs ${maxSessions} sessions, its maximum (maxSessions)` });
  }
  return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
}

/** Why a create could not reach tmux now, or null when it could. */
async function tmuxTrouble(tmux: ReadinessSources['tmux'], probeTimeoutMs: number): Promise<string | null> {
  try {
    // What a create does first: nothing while connected, else (re)connect, starting the server if it is gone.
    await tmux.connect();
  } catch (err) {
    return `tmux cannot be reached: ${errorMessage(err)}`;
  }
  return (await tmux.responds(probeTimeoutMs)) ? null : `tmux does not answer within ${probeTimeoutMs} ms (stopped or hung)`;
}
