/**
 * Waiting for a new session to be ready: `idle` (Claude at its prompt) or its end, whichever comes
 * first, followed over the session's event stream with a deadline. An ended session is described by
 * its exit reason and the daemon's hint, so a person learns why instead of meeting a 409 later.
 */
import type { AegisClient } from '../client/client.js';
import { followEvents, STOP } from '../client/event-stream.js';
import type { Session } from '../client/types.js';
import { untilTracker } from './watch-until.js';

export type Readiness = { ready: true } | { ready: false; ended: Session | null; note: string };

export async function waitUntilReady(client: AegisClient, id: string, timeoutMs: number): Promise<Readiness> {
  const stop = new AbortController();
  const until = untilTracker('idle', () => stop.abort());
  const deadline = setTimeout(() => stop.abort(), timeoutMs);
  try {
    await followEvents({
      client,
      path: `/v1/sessions/${encodeURIComponent(id)}/events`,
      signal: stop.signal,
      // Events from now on are seen; the status now covers what happened before.
      onConnected: ({ reconnect }) => void (reconnect ? undefined : client.getSession(id).then(until.sawSession, until.failed)),
      onEvent: (event) => (until.sawEvent(event) ? STOP : undefined),
    });
  } finally {
    clearTimeout(deadline);
  }
  const outcome = until.outcome();
  if (outcome.error) throw outcome.error;
  if (outcome.reached) return { ready: true };
  const session = await client.getSession(id);
  if (session.status === 'exited') return { ready: false, ended: session, note: endedNote(session) };
  if (session.status === 'idle') return { ready: true };
  return { ready: false, ended: null, note: outcome.note ?? `still ${session.status} after ${Math.round(timeoutMs / 1000)} s` };
}

/** Why a session ended, with the daemon's hint when it gave one. */
export function endedNote(session: Pick<Session, 'exit'>): string {
  const exit = session.exit;
  if (!exit) return 'it ended';
  const code = typeof exit.exitCode === 'number' ? `, exit code ${exit.exitCode}` : '';
  return `it ended (${exit.reason}${code})${exit.hint ? `: ${exit.hint}` : ''}`;
}
