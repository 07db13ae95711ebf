/**
 * Whether the daemon can take new work now, for a load balancer: a create would reach tmux, the store
 * takes writes, and there is room under maxSessions. Each reason names the error code a create would
 * have been refused with. `/v1/health` says whether the daemon is up; this says whether to send it
 * sessions.
 */
import { errorMessage } from '../errors.js';
import type { Supervisor } from '../sessions/supervisor.js';
import type { MetaStore } from '../store/meta-store.js';
import type { TmuxServer } from '../tmux/tmux-server.js';

export type NotReadyCode = 'TMUX_UNAVAILABLE' | 'STORE_UNAVAILABLE' | 'MAX_SESSIONS';

export interface NotReadyReason {
  code: NotReadyCode;
  message: string;
}

export type Readiness = { ready: true } | { ready: false; reasons: NotReadyReason[] };

export interface ReadinessSources {
  supervisor: Pick<Supervisor, 'atCapacity'>;
  tmux: Pick<TmuxServer, 'connect'>;
  meta: Pick<MetaStore, 'set'>;
  maxSessions: number;
}

/** The meta key each check writes: a real write, since only one shows that the disk takes them. */
const PROBE_KEY = 'readiness_checked_at';

export async function checkReadiness({ supervisor, tmux, meta, maxSessions }: ReadinessSources): Promise<Readiness> {
  const reasons: NotReadyReason[] = [];
  try {
    // What a create does first: a no-op while connected, else (re)connects, starting the server if it is gone.
    await tmux.connect();
  } catch (err) {
    reasons.push({ code: 'TMUX_UNAVAILABLE', message: `tmux cannot be reached: ${errorMessage(err)}` });
  }
  try {
    meta.set(PROBE_KEY, new Date().toISOString());
  } catch (err) {
    reasons.push({ code: 'STORE_UNAVAILABLE', message: errorMessage(err) });
  }
  if (supervisor.atCapacity()) {
    reasons.push({ code: 'MAX_SESSIONS', message: `the daemon runs ${maxSessions} sessions, its maximum (maxSessions)` });
  }
  return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
}
