import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScreenWatch } from './screen-watch.js';

describe('ScreenWatch.schedule', () => {
  let captures = 0;
  let watch: ScreenWatch;

  beforeEach(() => {
    vi.useFakeTimers();
    captures = 0;
    watch = new ScreenWatch('%1', {
      capture: async () => {
        captures++;
        return '';
      },
      wantOutput: () => () => {},
      timing: { screenThrottleMs: 120, screenEagerMs: 10 },
      onRead: () => {},
      onError: () => {},
    });
  });

  afterEach(() => {
    watch.close();
    vi.useRealTimers();
  });

  it('reads once after a long wait asked for output that can hardly change the screen', async () => {
    watch.schedule(5000);
    watch.schedule(5000);
    await vi.advanceTimersByTimeAsync(4999);
    expect(captures).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(captures).toBe(1);
  });

  it('brings a read due later forward when output asks for the usual wait, and never puts a sooner one off', async () => {
    watch.schedule(5000);
    watch.schedule();
    await vi.advanceTimersByTimeAsync(120);
    expect(captures).toBe(1);
    watch.schedule();
    watch.schedule(5000);
    await vi.advanceTimersByTimeAsync(120);
    expect(captures).toBe(2);
  });
});
