/**
 * A delivery whose keys fail part-way erases what it typed or pasted, shown on the real Claude Code's prompt
 * box in a real tmux pane: the keys are Aegis's own (typingActions, erasing), and one chosen key fails
 * the way a tmux command can, refused (nothing happened) or timed out (it happened all the same).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScreen, type ScreenState } from '../../src/claude/screen.js';
import type { KeyAction } from '../../src/claude/terminal-ui.js';
import { Delivery, type DeliveryTarget } from '../../src/sessions/delivery.js';
import type { Press } from '../../src/sessions/input-queue.js';
import { startClaudePanes, type ClaudePanes } from '../support/claude-pane.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { waitFor } from '../support/wait-for.js';

describe('typed text is erased from the real prompt box when tmux fails', () => {
  let fake: FakeAnthropic;
  let panes: ClaudePanes;
  let pane: string;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    panes = startClaudePanes(fake);
    pane = panes.open();
    await waitFor(() => promptBox() === '', { timeoutMs: 30_000, what: 'Claude to show an empty prompt' });
  });
  afterAll(async () => {
    await panes?.close();
    await fake?.close();
  });

  const screen = (): ScreenState => parseScreen(panes.capture(pane));
  /** What the prompt box holds, or null when Claude shows no prompt box. */
  const promptBox = (): string | null => {
    const now = screen();
    return now.kind === 'idle' ? now.input : null;
  };

  /** The pane behind a delivery, whose `failAt`-th key fails. */
  function failingPane(failAt: number, failure: 'refused' | 'timed out'): DeliveryTarget {
    let calls = 0;
    const send = (action: KeyAction) => {
      if ('paste' in action) panes.paste(pane, action.paste);
      else if ('text' in action) panes.type(pane, action.text);
      else for (let i = 0; i < (action.times ?? 1); i++) panes.press(pane, action.key);
    };
    const press: Press = async (actions) => {
      for (const action of actions) {
        const failing = ++calls === failAt;
        if (!failing || failure === 'timed out') send(action);
        if (failing) throw new Error(`tmux send-keys failed: ${failure}`);
      }
    };
    const file = {};
    return {
      acceptedPrompts: 0,
      get screenState() {
        return screen();
      },
      get screenText() {
        return panes.capture(pane);
      },
      exited: false,
      turnRunning: false,
      gone: false,
      transcriptMark: () => ({ file, records: 0, userRecords: 0 }),
      waitUntil: async (condition) => condition(),
      keystrokes: (batch) => batch(press),
      readScreen: async () => screen(),
      untilScreen: (test, timeoutMs) => waitFor(() => test(screen()), { timeoutMs, what: 'the screen' }).catch(() => false),
      watchEcho: () => ({ shows: () => false, until: async () => false, close: () => {} }),
    };
  }

  it.each([
    ['the second line', 'refused', 'first line ✓ 🚀 e\u0301\n- second\n- third', 3],
    ['the second line', 'timed out', 'first line ✓ 🚀 e\u0301\n- second\n- third', 3],
    ['a line break', 'timed out', 'one\ntwo\nthree', 4],
    ['Enter', 'refused', 'pasted in full\twith a tab', 2],
    ['the paste of a long text', 'timed out', `${'x'.repeat(900)}\nmore`, 1],
    ["a slash command's second line", 'refused', '/compact first ✓ 🚀\n- second\n- third', 3],
  ] as const)('at %s (%s), what reached the prompt box is erased and nothing is submitted', async (_, failure, text, failAt) => {
    const asked = fake.requests.length;
    const timing = { deliveryAttemptMs: 10, deliveryAttempts: 1, transcriptSettleMs: 0, typingSettleMs: 5000, typedDrawSettleMs: 0 };
    await expect(new Delivery(failingPane(failAt, failure), text, timing).run()).rejects.toThrow(/send-keys failed/);
    // Keys reach Claude in order: once a marker typed after the erasing shows, the erasing has been read.
    panes.type(pane, 'END');
    const box = await waitFor(() => promptBox()?.endsWith('END') && promptBox(), { timeoutMs: 10_000, what: 'the marker in the prompt box' });
    expect(box).toBe('END');
    panes.press(pane, 'BSpace', 'BSpace', 'BSpace');
    await waitFor(() => promptBox() === '', { what: 'the prompt box to be empty again' });
    expect(fake.requests.slice(asked).filter((r) => r.isMain)).toEqual([]);
  });
});
