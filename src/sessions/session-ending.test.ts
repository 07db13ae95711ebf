/**
 * How a session ends: what it publishes as it exits is what it keeps, and an exit never changes once
 * it was published.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sessionHarness, type Harness } from '../../test/support/session-harness.js';

const harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
});

describe('ending a session', () => {
  it('publishes the exit code tmux learns late, and never changes the exit after it was published', async () => {
    // tmux reports the pane dead before it knows the status (tmux 3.3a), and learns it a moment later.
    let asked = 0;
    const h = sessionHarness('working', { tmux: { paneDeath: async () => ({ status: ++asked > 1 ? 3 : null, signal: null }) } });
    harnesses.push(h);
    await h.session.end('claude_exited', { paneDied: true, exitCode: null });
    const exited = h.events.find((e) => e.type === 'session_exited');
    expect(exited).toMatchObject({ reason: 'claude_exited', exitCode: 3 });
    expect(h.session.view().exit).toMatchObject({ reason: 'claude_exited', exitCode: 3 });
    // Every record saved from the exit on holds the exit that was published.
    const savedExits = h.saved.filter((record) => record.status === 'exited').map((record) => record.exit);
    expect(savedExits.length).toBeGreaterThan(0);
    for (const exit of savedExits) expect(exit).toEqual(h.session.view().exit);
  });

  it('publishes at once, with no exit code, when a signal ended Claude: there is no status to wait for', async () => {
    let asked = 0;
    const h = sessionHarness('working', { tmux: { paneDeath: async () => (asked++, { status: null, signal: 9 }) } });
    harnesses.push(h);
    await h.session.end('claude_exited', { paneDied: true, exitCode: null });
    expect(h.events.find((e) => e.type === 'session_exited')).toMatchObject({ reason: 'claude_exited', exitCode: null });
    expect(asked).toBe(1);
  });

  it('publishes session_reaped only once the session is exited, so a client that reads it on that event sees the exit', async () => {
    // The last screen's capture takes its time; a client reading the session on session_reaped must not see it idle.
    let statusAtReaped: unknown = 'never published';
    const h = sessionHarness('idle', {
      tmux: { capture: () => new Promise((resolve) => setTimeout(() => resolve('last screen'), 20)) },
      publish: (type) => {
        if (type === 'session_reaped') statusAtReaped = { status: h.session.view().status, exit: h.session.view().exit?.reason };
      },
    });
    harnesses.push(h);
    await h.session.end('reaped', { reaped: { reason: 'idle_timeout', detail: { idleMs: 2000, idleTimeoutMs: 1500 } } });
    expect(statusAtReaped).toEqual({ status: 'exited', exit: 'reaped' });
    const order = h.events.map((e) => e.type).filter((type) => type === 'session_reaped' || type === 'session_exited');
    expect(order).toEqual(['session_reaped', 'session_exited']);
  });
});
