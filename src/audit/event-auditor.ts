/**
 * What the core does by itself, recorded from the event bus: sessions that exit or are reaped, the
 * stall action that interrupts, a budget exceeded (and the action it takes), permission requests and questions as they open, and decisions that no
 * API caller made (a rule, the timeout, the person at the terminal, the session's end). Decisions made
 * through the API are recorded by the HTTP layer with their caller, so they are skipped here: each
 * action has exactly one entry. A tool's input is never recorded (it may hold anything); its name is.
 */
import type { AegisEvent, EventBus } from '../events/event-bus.js';
import type { AuditRecordInput } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';

export function auditCoreEvents(bus: Pick<EventBus, 'subscribe'>, log: Pick<AuditLog, 'record'>): () => void {
  return bus.subscribe((event) => {
    const entry = entryFor(event);
    if (entry) log.record(entry);
  });
}

const SYSTEM = { actor: 'system', outcome: 'ok' } as const;

function entryFor(event: AegisEvent): AuditRecordInput | null {
  const resource = event.sessionId;
  switch (event.type) {
    case 'session_exited':
      return { ...SYSTEM, action: 'session.exit', resource, details: pick(event, ['reason', 'exitCode']) };
    case 'session_reaped':
      return { ...SYSTEM, action: 'session.reap', resource, details: pick(event, ['reason', 'thresholdMs', 'idleMs', 'idleTimeoutMs']) };
    case 'session_removed':
      // A DELETE is recorded by the HTTP layer with its caller; a retention purge is the daemon's own.
      return event.reason === 'purged' ? { ...SYSTEM, action: 'session.purge', resource, details: pick(event, ['endedAt', 'retentionDays']) } : null;
    case 'stalled':
      // Only the interrupt changes anything here; a kill is recorded as the reap it is.
      return event.action === 'interrupt' ? { ...SYSTEM, action: 'session.interrupt', resource, details: { reason: 'stalled', ...pick(event, ['silentMs', 'thresholdMs']) } } : null;
    case 'permission_request':
      return { ...SYSTEM, action: 'permission.request', resource, details: pick(event, ['permissionId', 'toolName', 'source']) };
    case 'question':
      return { ...SYSTEM, action: 'question.ask', resource, details: pick(event, ['questionId', 'source']) };
    case 'permission_resolved':
      return decisionEntry(event);
    case 'budget_exceeded':
      // The action (notify, interrupt, kill) is carried out on the session, or on every session of the key.
      return { ...SYSTEM, action: 'budget.exceeded', resource: typeof event.keyId === 'string' && event.scope === 'key' ? event.keyId : resource, details: { sessionId: resource, ...pick(event, ['scope', 'kind', 'limit', 'used', 'action']) } };
    default:
      return null;
  }
}

function decisionEntry(event: AegisEvent): AuditRecordInput | null {
  const details = pick(event, ['permissionId', 'kind', 'toolName', 'decision']);
  const resource = event.sessionId;
  switch (event.by) {
    case 'rule': {
      const rule = typeof event.rule === 'string' ? event.rule : 'unnamed';
      return { actor: `rule:${rule}`, outcome: 'ok', action: 'permission.rule_decision', resource, details };
    }
    case 'timeout':
      return { ...SYSTEM, action: 'permission.timeout', resource, details };
    case 'terminal':
      return { actor: 'local', outcome: 'ok', action: 'permission.terminal_decision', resource, details };
    case 'session_ended':
      return { ...SYSTEM, action: 'permission.cancel', resource, details: { ...details, reason: 'session_ended' } };
    default:
      // `api`: the HTTP layer has recorded it with its caller.
      return null;
  }
}

function pick(event: AegisEvent, names: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (event[name] !== undefined) picked[name] = event[name];
  return picked;
}
