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
});
