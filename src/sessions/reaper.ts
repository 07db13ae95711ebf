/**
 * What the daemon-wide reaper timer does with a session, decided from timestamps alone: end a
 * session idle for longer than its idle timeout, mark a working session stalled when it has shown no
 * progress for longer than its stall threshold. A session waiting on a permission or a question is
 * neither idle nor working, so it is never reaped.
 */
import type { SessionStatus } from './session.js';

export interface ReapPolicy {
  /** 0 keeps idle sessions forever. */
  idleTimeoutMs: number;
  stallThresholdMs: number;
}

export interface ReapSubject {
  status: SessionStatus;
  statusChangedAt: number;
  lastProgressAt: number;
}

export type Verdict = { kind: 'reap'; idleMs: number } | { kind: 'stall'; silentMs: number } | null;

export function verdictFor(now: number, subject: ReapSubject, policy: ReapPolicy): Verdict {
  if (subject.status === 'idle' && policy.idleTimeoutMs > 0) {
    const idleMs = now - subject.statusChangedAt;
    if (idleMs >= policy.idleTimeoutMs) return { kind: 'reap', idleMs };
  }
  if (subject.status === 'working') {
    const silentMs = now - subject.lastProgressAt;
    if (silentMs >= policy.stallThresholdMs) return { kind: 'stall', silentMs };
  }
  return null;
}

/** The policy for one session: its own overrides, else the daemon's. */
export function policyFor(
  overrides: { idleTimeoutMs?: number | null; stallThresholdMs?: number | null },
  defaults: ReapPolicy,
): ReapPolicy {
  return {
    idleTimeoutMs: overrides.idleTimeoutMs ?? defaults.idleTimeoutMs,
    stallThresholdMs: overrides.stallThresholdMs ?? defaults.stallThresholdMs,
  };
}
