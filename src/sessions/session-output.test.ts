/**
 * How soon a session reads its screen after its pane printed: at the usual moment, but only every
 * few seconds while a turn runs and no one waits for the screen (the spinner redraws it all the time;
 * the turn's hooks and transcript tell what changes).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionHarness, type Harness } from '../../test/support/session-harness.js';
import { DEFAULT_TIMING } from './timing.js';
import type { SessionStatus } from './session-record.js';

const harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
});

function sessionCounting(status: SessionStatus) {
  let captures = 0;
  const harness = sessionHarness(status, { tmux: { capture: async () => (captures++, '') } });
  harnesses.push(harness);
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  return { session: harness.session, captures: () => captures };
}

describe('Session.onOutput', () => {
  it('reads the screen a moment after the pane printed while no turn runs', async () => {
    const { session, captures } = sessionCounting('idle');
    session.onOutput();
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMING.screenThrottleMs);
    expect(captures()).toBe(1);
  });

  it('reads it only after workingScreenMs while a turn runs, however often the pane prints', async () => {
    const { session, captures } = sessionCounting('working');
    for (let i = 0; i < 10; i++) {
      session.onOutput();
      await vi.advanceTimersByTimeAsync(DEFAULT_TIMING.screenThrottleMs);
    }
    expect(captures()).toBe(0);
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMING.workingScreenMs);
    expect(captures()).toBe(1);
  });
});
