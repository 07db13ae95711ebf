/**
 * What `aegis watch <id> --until idle|exited` waits for, fed the session's events and its status at
 * connection time; it calls `done` once the outcome is known. Reaching the status is success; for
 * `idle`, the session exiting first, or a turn failing on the way, is failure.
 */
import { ApiError } from '../client/errors.js';
import type { AegisEvent, Session } from '../client/types.js';

export const UNTIL_TARGETS = ['idle', 'exited'] as const;
export type UntilTarget = (typeof UNTIL_TARGETS)[number];

export interface UntilOutcome {
  reached: boolean;
  note?: string;
  error?: unknown;
}

export function untilTracker(target: UntilTarget, done: () => void) {
  let result: UntilOutcome | undefined;
  let turnFailed: string | undefined;
  const finish = (outcome: UntilOutcome) => {
    if (result) return true;
    result = outcome;
    done();
    return true;
  };
  const exited = (reason: unknown) =>
    finish({ reached: target === 'exited', note: `session exited (${typeof reason === 'string' ? reason : 'unknown reason'})` });
  const arrived = () =>
    turnFailed === undefined || target === 'exited' ? finish({ reached: true, note: `session is ${target}` }) : finish({ reached: false, note: `the turn failed: ${turnFailed}` });

  return {
    sawSession(session: Session): void {
      if (session.status === 'exited') exited(session.exit?.reason);
      else if (session.status === target) arrived();
    },
    /** True when the event settles it (the caller stops following). */
    sawEvent(event: AegisEvent): boolean {
      if (event.type === 'turn_failed') turnFailed = `${String(event.error)}`;
      if (event.type === 'session_exited') return exited(event.reason);
      // An exit is settled by session_exited, which carries the reason; its status_changed comes first.
      if (event.type === 'status_changed' && event.to === target && target !== 'exited') return arrived();
      return false;
    },
    /**
     * The status asked at connection failed. A session not found by then was removed after its
     * stream connected, so the stream brings its session_exited, which settles the wait with the reason.
     */
    failed(err: unknown): void {
      if (err instanceof ApiError && err.status === 404) return;
      finish({ reached: false, error: err });
    },
    outcome(): UntilOutcome {
      return result ?? { reached: false };
    },
  };
}
