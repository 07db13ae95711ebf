/**
 * Every status change a session may make, written once. A session starts, then moves between idle,
 * working, a permission prompt, a question and stalled, and ends in exited, from which nothing leads
 * back. Anything not listed here is refused (and logged) by the session.
 */
import type { SessionStatus } from './session-record.js';

const LIVE: readonly SessionStatus[] = ['idle', 'working', 'permission_prompt', 'asking', 'stalled'];

export const TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  // Claude shows its prompt (idle), or a restarted daemon finds it busy, or it never gets there.
  starting: ['idle', 'working', 'permission_prompt', 'asking', 'exited'],
  // A prompt starts a turn; a request can come with it before the working status is seen.
  idle: ['working', 'permission_prompt', 'asking', 'exited'],
  working: ['idle', 'permission_prompt', 'asking', 'stalled', 'exited'],
  // A decision lets the turn go on; a turn that ends while a request waits is idle; one request can follow another.
  permission_prompt: ['working', 'idle', 'asking', 'exited'],
  asking: ['working', 'idle', 'permission_prompt', 'exited'],
  // Only progress ends a stall (every hook, transcript record or screen change is progress).
  stalled: ['working', 'exited'],
  exited: [],
};

export function isAllowedTransition(from: SessionStatus, to: SessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses of a session that runs (neither starting nor exited). */
export function isLive(status: SessionStatus): boolean {
  return LIVE.includes(status);
}
