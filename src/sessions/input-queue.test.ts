import { describe, expect, it } from 'vitest';
import type { KeyAction } from '../claude/terminal-ui.js';
import { InputQueue, type Press } from './input-queue.js';
import type { SessionInput } from './session-input.js';

describe('InputQueue', () => {
  it('is the only holder of the keys: a session hands out batches, never a way to press keys outside one', () => {
    // Checked by the compiler (tsc over the tests): the directive fails the build if `press` ever comes back.
    // @ts-expect-error SessionInput has no press of its own
    const press: SessionInput['press'] = undefined;
    expect(press).toBeUndefined();
  });

  it('runs batches one after another, each with the keys only while it runs', async () => {
    const sent: string[] = [];
    const queue = new InputQueue(async (actions: readonly KeyAction[]) => {
      for (const action of actions) if ('text' in action) sent.push(action.text);
    });
    let kept: Press | undefined;
    let releaseFirst!: () => void;
    const first = queue.keystrokes(async (press) => {
      kept = press;
      await press([{ text: 'a' }]);
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      await press([{ text: 'b' }]);
    });
    const second = queue.keystrokes((press) => press([{ text: 'c' }]));
    await expect.poll(() => sent).toEqual(['a']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(sent).toEqual(['a', 'b', 'c']);
    await expect(kept!([{ text: 'late' }])).rejects.toThrow(/after their batch/);
    expect(sent).toEqual(['a', 'b', 'c']);
  });
});
