/**
 * `aegis watch` lines for the events the daemon publishes, in the shapes docs/api.md documents: the
 * permission events come from the broker's own publisher (permissions/request-events.ts), the others
 * through the event bus with the fields the session publishes. Every type the bus knows has a case,
 * so a new type fails here until it has a line of its own.
 */
import { describe, expect, it } from 'vitest';
import type { AegisEvent } from '../client/types.js';
import { EventBus, EVENT_TYPES, type EventType } from '../events/event-bus.js';
import { silentLogger } from '../log.js';
import type { PendingRequest } from '../permissions/broker.js';
import { requestEvents } from '../permissions/request-events.js';
import { formatEvent } from './event-format.js';

const SESSION = '2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11';
const withoutClock = (event: AegisEvent) => formatEvent(event).replace(/^\d\d:\d\d:\d\d /, '');

/** Events as the daemon publishes them, by type. */
function published(): Map<string, AegisEvent[]> {
  const bus = new EventBus(100);
  const events = new Map<string, AegisEvent[]>();
  bus.subscribe((event) => events.set(event.type, [...(events.get(event.type) ?? []), event]));
  const publish = (type: EventType, fields: Record<string, unknown>) => bus.publish(type, SESSION, fields);

  publish('session_created', { session: { id: SESSION, name: 'fix-login', status: 'starting', workDir: '/srv/app', createdAt: '2026-01-01T12:00:00Z' } });
  publish('status_changed', { from: 'idle', to: 'working' });
  const message = { id: 'u1:0', role: 'assistant', kind: 'tool_use', toolName: 'Bash', toolInput: { command: 'npm test' }, text: 'npm test\nnpm run lint', timestamp: '2026-01-01T12:00:01Z' };
  const { id: messageId, ...messageFields } = message;
  publish('message', { ...messageFields, messageId, message });
  publish('stalled', { silentMs: 130_000, thresholdMs: 120_000, action: 'notify' });
  publish('session_exited', { reason: 'start_failed', exitCode: 1, hint: 'claude exited at once:\ncheck claudeCommand' });
  publish('session_reaped', { reason: 'idle_timeout', idleMs: 3_600_000, idleTimeoutMs: 3_600_000 });
  publish('session_removed', { reason: 'purged', endedAt: '2025-12-01T12:00:00Z', retentionDays: 30 });
  publish('turn_failed', { error: 'rate_limit', message: 'API Error: 429 rate limited' });
  publish('turn_failed', { error: 'authentication_failed', message: 'Not logged in', hint: 'set ANTHROPIC_API_KEY' });
  publish('budget_warning', { scope: 'session', kind: 'cost', limit: 1, used: 0.85, action: 'interrupt' });
  publish('budget_exceeded', { scope: 'key', kind: 'cost', keyId: 'key_1', limit: 20, used: 20.5, action: 'interrupt' });

  const broker = requestEvents((type, sessionId, fields) => bus.publish(type, sessionId, fields), silentLogger);
  const request: PendingRequest = {
    id: 'perm_1', sessionId: SESSION, kind: 'permission', toolName: 'Bash', toolInput: { command: 'rm -rf dist' }, suggestions: [],
    source: 'hook', createdAt: '2026-01-01T12:00:02Z', expiresAt: '2026-01-01T12:05:02Z',
  };
  broker.requested(request);
  broker.resolved(request, { behavior: 'deny', by: 'rule', rule: 'no-rm', message: 'not here' });
  const question: PendingRequest = {
    ...request, id: 'q_1', kind: 'question', toolName: 'AskUserQuestion', toolInput: {},
    questions: [{ question: 'Which database?', header: 'DB', multiSelect: false, options: [{ label: 'SQLite', description: 'a file' }, { label: 'Postgres', description: 'a server' }] }],
  };
  broker.requested(question);
  broker.resolved(question, { behavior: 'allow', by: 'api', answers: { 'Which database?': 'SQLite' } });
  return events;
}

/** [type, the line without its clock]: every type the bus knows. */
const LINES: Array<[EventType, string[]]> = [
  ['session_created', ['session_created     2b0c7c9e fix-login in /srv/app']],
  ['status_changed', ['status_changed      2b0c7c9e idle → working']],
  ['message', ['message             2b0c7c9e assistant tool_use Bash: npm test ⏎ npm run lint']],
  ['permission_request', ['permission_request  2b0c7c9e Bash rm -rf dist (from the hook; id perm_1)']],
  ['question', ['question            2b0c7c9e Which database? [0. SQLite / 1. Postgres] (id q_1)']],
  [
    'permission_resolved',
    ['permission_resolved 2b0c7c9e Bash deny by rule (rule no-rm): not here', 'permission_resolved 2b0c7c9e AskUserQuestion allow by api'],
  ],
  ['stalled', ['stalled             2b0c7c9e no progress for 130s (threshold 120s), notify']],
  ['session_exited', ['session_exited      2b0c7c9e start_failed (exit code 1): claude exited at once: ⏎ check claudeCommand']],
  ['session_reaped', ['session_reaped      2b0c7c9e idle_timeout: idle for 3600s (limit 3600s)']],
  ['session_removed', ['session_removed     2b0c7c9e purged: ended 2025-12-01T12:00:00Z, kept 30 days']],
  ['budget_warning', ['budget_warning      2b0c7c9e used 0.85 of 1 (session cost), interrupt']],
  ['budget_exceeded', ['budget_exceeded     2b0c7c9e used 20.5 of 20 (key cost), interrupt']],
  ['turn_failed', ['turn_failed         2b0c7c9e rate_limit: API Error: 429 rate limited', 'turn_failed         2b0c7c9e authentication_failed: Not logged in (set ANTHROPIC_API_KEY)']],
];

describe('formatEvent', () => {
  const events = published();

  it('has a case for every type of event the daemon publishes', () => {
    expect(LINES.map(([type]) => type).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(LINES)('prints %s with its documented fields, one line each', (type, lines) => {
    expect((events.get(type) ?? []).map(withoutClock)).toEqual(lines);
  });

  it('prints budget events with what was used of the limit', () => {
    const event = { id: 1, sessionId: SESSION, at: '2026-01-01T12:00:00Z', type: 'budget_warning', limit: 5, used: 4.2, action: 'notify' } as unknown as AegisEvent;
    expect(withoutClock(event)).toBe('budget_warning      2b0c7c9e used 4.2 of 5, notify');
  });

  it('prints an event of a type it does not know as its fields in JSON', () => {
    const event = { id: 1, sessionId: SESSION, at: '2026-01-01T12:00:00Z', type: 'something_new', detail: 7 } as unknown as AegisEvent;
    expect(withoutClock(event)).toBe('something_new       2b0c7c9e {"detail":7}');
  });

  it('starts with the local clock time of the event', () => {
    expect(formatEvent(events.get('stalled')![0]!)).toMatch(/^\d\d:\d\d:\d\d stalled/);
  });
});
