import { describe, expect, it } from 'vitest';
import type { AegisEvent } from '../client/types.js';
import { formatEvent } from './event-format.js';

const base = { id: 1, sessionId: '2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11', at: '2026-01-01T12:00:00Z' };
const line = (event: Partial<AegisEvent> & { type: AegisEvent['type'] }) => formatEvent({ ...base, ...event } as AegisEvent).replace(/^\d\d:\d\d:\d\d /, '');

describe('formatEvent', () => {
  it.each([
    [{ type: 'session_created', session: { name: 'fix-login', workDir: '/srv/app' } }, 'session_created     2b0c7c9e fix-login in /srv/app'],
    [{ type: 'status_changed', from: 'starting', to: 'idle' }, 'status_changed      2b0c7c9e starting → idle'],
    [{ type: 'message', message: { role: 'assistant', kind: 'tool_use', toolName: 'Bash', text: 'npm test\nnpm run lint' } }, 'message             2b0c7c9e assistant tool_use Bash: npm test ⏎ npm run lint'],
    [{ type: 'permission_request', permission: { toolName: 'Bash', toolInput: { command: 'rm -rf dist' } } }, 'permission_request  2b0c7c9e Bash {"command":"rm -rf dist"}'],
    [{ type: 'permission_resolved', decision: 'approve', by: 'key_1' }, 'permission_resolved 2b0c7c9e approve by key_1'],
    [{ type: 'session_exited', reason: 'claude_exited', exitCode: 1 }, 'session_exited      2b0c7c9e claude_exited (exit code 1)'],
    [{ type: 'stalled', idleSeconds: 130 }, 'stalled             2b0c7c9e {"idleSeconds":130}'],
  ] as const)('prints %o on one line', (event, expected) => {
    expect(line(event as never)).toBe(expected);
  });

  it('starts with the local clock time of the event', () => {
    expect(formatEvent({ ...base, type: 'stalled' } as AegisEvent)).toMatch(/^\d\d:\d\d:\d\d stalled/);
  });
});
