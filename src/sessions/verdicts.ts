/**
 * The verdicts of the daemon-wide upkeep timer on a session, from timestamps alone: end a
 * session idle for longer than its idle timeout (typing into it counts as activity, and one that is
 * being typed into is never idle), mark a working session stalled when it has shown no progress for
 * longer than its stall threshold, and end a session that has been starting for longer than the start
 * timeout. A session waiting on a permission or a question is neither idle nor working, so it is
 * never reaped.
 */
import type { SessionStatus } from './session-record.js';

export interface ReapPolicy {
  /** 0 keeps idle sessions forever. */
  idleTimeoutMs: number;
  stallThresholdMs: number;
  startTimeoutMs: number;
}

export interface ReapSubject {
  status: SessionStatus;
  statusChangedAt: number;
  lastProgressAt: number;
  /** When keys were last sent to the pane (0: never). */
  lastInputAt: number;
  /** Keys are being sent or a delivery runs right now. */
  busyWithInput: boolean;
}

export type Verdict = { kind: 'reap'; idleMs: number } | { kind: 'stall'; silentMs: number } | { kind: 'start_timeout'; waitedMs: number } | null;

export function verdictFor(now: number, subject: ReapSubject, policy: ReapPolicy): Verdict {
  if (subject.status === 'idle' && policy.idleTimeoutMs > 0 && !subject.busyWithInput) {
    const idleMs = now - Math.max(subject.statusChangedAt, subject.lastInputAt);
    if (idleMs >= policy.idleTimeoutMs) return { kind: 'reap', idleMs };
  }
  if (subject.status === 'starting') {
    const waitedMs = now - subject.statusChangedAt;
    if (waitedMs >= policy.startTimeoutMs) return { kind: 'start_timeout', waitedMs };
  }
  if (subject.status === 'working') {
    const silentMs = now - subject.lastProgressAt;
    if (silentMs >= policy.stallThresholdMs) return { kind: 'stall', silentMs };
  }
  return null;
}

/**
 * Whether a held hook request has gone unseen too long: Claude draws its dialog while it holds the
 * hook, so one its screen has not shown for `limitMs` was not asked by Claude.
 */
export function unseenTooLong(now: number, unseenSince: number | null, limitMs: number): boolean {
  return unseenSince !== null && now - unseenSince >= limitMs;
}

/** The policy for one session: its own overrides, else the daemon's. */
export function policyFor(
  overrides: { idleTimeoutMs?: number | null; stallThresholdMs?: number | null },
  defaults: ReapPolicy,
): ReapPolicy {
  return {
    idleTimeoutMs: overrides.idleTimeoutMs ?? defaults.idleTimeoutMs,
    stallThresholdMs: overrides.stallThresholdMs ?? defaults.stallThresholdMs,
    startTimeoutMs: defaults.startTimeoutMs,
  };
}
