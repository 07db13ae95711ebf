import { describe, expect, it } from 'vitest';
import { EventBus } from '../events/event-bus.js';
import { AuditLog } from './audit-log.js';
import { auditCoreEvents } from './event-auditor.js';
import { MemoryAuditRepository } from './memory-audit-repository.js';

describe('what the core does, recorded from the event bus', () => {
  const setUp = () => {
    const bus = new EventBus(10, 1);
    const repository = new MemoryAuditRepository();
    auditCoreEvents(bus, new AuditLog(repository, { includeText: false, logger: { error: () => {} } }));
    const recorded = () => repository.entries.map(({ actor, action, resource, outcome, details }) => ({ actor, action, resource, outcome, details }));
    return { bus, recorded };
  };

  it('records exits, reaps, the interrupt of a stall and budgets exceeded once each, by the system', () => {
    const { bus, recorded } = setUp();
    bus.publish('session_reaped', 's1', { reason: 'idle_timeout', idleMs: 5, idleTimeoutMs: 4 });
    bus.publish('session_exited', 's1', { reason: 'reaped', exitCode: null });
    bus.publish('stalled', 's2', { silentMs: 10, thresholdMs: 5, action: 'interrupt' });
    bus.publish('stalled', 's3', { silentMs: 10, thresholdMs: 5, action: 'notify' });
    bus.publish('status_changed', 's1', { from: 'idle', to: 'exited' });
    bus.publish('message', 's1', { text: 'never recorded' });
    bus.publish('budget_warning', 's1', { scope: 'session', kind: 'cost', limit: 1, used: 0.8, action: 'kill' });
    bus.publish('budget_exceeded', 's1', { scope: 'session', kind: 'cost', limit: 1, used: 1.2, action: 'kill' });
    bus.publish('budget_exceeded', 's2', { scope: 'key', kind: 'cost', limit: 5, used: 5.5, keyId: 'key_1', action: 'interrupt' });
    expect(recorded()).toEqual([
      { actor: 'system', action: 'session.reap', resource: 's1', outcome: 'ok', details: { reason: 'idle_timeout', idleMs: 5, idleTimeoutMs: 4 } },
      { actor: 'system', action: 'session.exit', resource: 's1', outcome: 'ok', details: { reason: 'reaped', exitCode: null } },
      { actor: 'system', action: 'session.interrupt', resource: 's2', outcome: 'ok', details: { reason: 'stalled', silentMs: 10, thresholdMs: 5 } },
      { actor: 'system', action: 'budget.exceeded', resource: 's1', outcome: 'ok', details: { sessionId: 's1', scope: 'session', kind: 'cost', limit: 1, used: 1.2, action: 'kill' } },
      { actor: 'system', action: 'budget.exceeded', resource: 'key_1', outcome: 'ok', details: { sessionId: 's2', scope: 'key', kind: 'cost', limit: 5, used: 5.5, action: 'interrupt' } },
    ]);
  });

  it('records requests, and each decision no API caller made with who made it; never a tool input', () => {
    const { bus, recorded } = setUp();
    const resolved = (by: string, extra: Record<string, unknown> = {}) =>
      bus.publish('permission_resolved', 's1', { permissionId: 'p1', kind: 'permission', toolName: 'Bash', decision: 'deny', by, ...extra });
    bus.publish('permission_request', 's1', { permissionId: 'p1', toolName: 'Bash', source: 'hook', toolInput: { command: 'echo $SECRET' } });
    bus.publish('question', 's1', { questionId: 'q1', source: 'hook', question: 'Which?' });
    resolved('rule', { rule: 'no-bash' });
    resolved('timeout');
    resolved('terminal');
    resolved('session_ended');
    resolved('api', { keyId: 'key_1' });
    const decision = { permissionId: 'p1', kind: 'permission', toolName: 'Bash', decision: 'deny' };
    expect(recorded()).toEqual([
      { actor: 'system', action: 'permission.request', resource: 's1', outcome: 'ok', details: { permissionId: 'p1', toolName: 'Bash', source: 'hook' } },
      { actor: 'system', action: 'question.ask', resource: 's1', outcome: 'ok', details: { questionId: 'q1', source: 'hook' } },
      { actor: 'rule:no-bash', action: 'permission.rule_decision', resource: 's1', outcome: 'ok', details: decision },
      { actor: 'system', action: 'permission.timeout', resource: 's1', outcome: 'ok', details: decision },
      { actor: 'local', action: 'permission.terminal_decision', resource: 's1', outcome: 'ok', details: decision },
      { actor: 'system', action: 'permission.cancel', resource: 's1', outcome: 'ok', details: { ...decision, reason: 'session_ended' } },
    ]);
  });
});
