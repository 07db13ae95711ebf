/**
 * Usage by model from the sessions the daemon holds: each session's totals under its model. What a
 * deleted session used leaves these totals with it; the usage ledger keeps totals beyond a session.
 */
import type { SessionView } from '../sessions/session-record.js';
import type { ModelUsage } from './daemon-metrics.js';

export function usageOfSessions(sessions: Iterable<Pick<SessionView, 'model' | 'usage'>>): ModelUsage[] {
  return [...sessions].map(({ model, usage }) => ({ model, ...usage }));
}
