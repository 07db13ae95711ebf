import { describe, expect, it } from 'vitest';
import type { ScreenState } from '../claude/screen.js';
import { PASTE_THRESHOLD, type KeyAction } from '../claude/terminal-ui.js';
import { Delivery, type DeliveryTarget, type Echo } from './delivery.js';

/** An echo that never sees the typed text: the screen alone tells. */
const NO_ECHO: Echo = { shows: () => false, until: async () => false, close: () => {} };

/**
 * Claude's prompt box as keys change it, behind a delivery target. One chosen key fails the way a
 * tmux command can: refused (nothing happened) or timed out (it may have happened all the same).
 */
class PromptBox implements DeliveryTarget {
  text = '';
  calls = 0;
  readonly acceptedPrompts = 0;
  readonly screenState = { kind: 'unknown' } as const;
  readonly screenText = '';
  readonly exited = false;
  readonly turnRunning = false;
  readonly gone = false;
  private readonly file = {};

  constructor(
    private readonly failAtCall: number,
    private readonly failure: 'refused' | 'timed out',
  ) {}

  transcriptMark() {
    return { file: this.file, records: 0, userRecords: 0 };
  }

  async waitUntil(condition: () => boolean): Promise<boolean> {
    return condition();
  }

  keystrokes<T>(batch: (press: (actions: readonly KeyAction[]) => Promise<void>) => Promise<T>): Promise<T> {
    return batch((actions) => this.press(actions));
  }

  async readScreen() {
    return this.screenState;
  }

  async untilScreen(test: (screen: ScreenState) => boolean): Promise<boolean> {
    return test(this.screenState);
  }

  watchEcho(): Echo {
    return NO_ECHO;
  }

  async press(actions: readonly KeyAction[]): Promise<void> {
    for (const action of actions) {
      const failing = ++this.calls === this.failAtCall;
      if (!failing || this.failure === 'timed out') this.apply(action);
      if (failing) throw new Error(`tmux send-keys failed: ${this.failure}`);
    }
  }

  private apply(action: KeyAction): void {
    // Claude shows a long paste as a placeholder, a short one as itself.
    if ('paste' in action) this.text += action.paste.length > PASTE_THRESHOLD ? `[Pasted text #1 +${action.paste.split('\n').length - 1} lines]` : action.paste;
    else if ('text' in action) this.text += action.text;
    else for (let i = 0; i < (action.times ?? 1); i++) this.pressKey(action.key);
  }

  private pressKey(key: string): void {
    if (key === 'C-j') this.text += '\n';
    else if (key === 'BSpace') this.text = this.text.endsWith(']') ? this.text.replace(/\[Pasted text[^\]]*\]$/, '') : [...this.text].slice(0, -1).join('');
    else if (key === 'Enter') this.text = '';
  }
}

/** A prompt box that never confirms anything, with `parts` of its own. */
function unconfirmingTarget(parts: Partial<DeliveryTarget> & Pick<DeliveryTarget, 'keystrokes'>): DeliveryTarget {
  const file = {};
  return {
    acceptedPrompts: 0,
    screenState: { kind: 'idle', input: '' },
    screenText: '',
    exited: false,
    turnRunning: false,
    gone: false,
    transcriptMark: () => ({ file, records: 0, userRecords: 0 }),
    waitUntil: async (condition) => condition(),
    readScreen: async () => ({ kind: 'idle', input: '' }),
    untilScreen: async () => false,
    watchEcho: () => NO_ECHO,
    ...parts,
  };
}

/** A wait for the typed text's draw that a test would notice (it times out first). */
const TYPING_SETTLE_MS = 60_000;
const timing = { deliveryAttemptMs: 10, deliveryAttempts: 1, transcriptSettleMs: 0, typingSettleMs: 0, typedDrawSettleMs: 0 };

describe('Delivery', () => {
  it.each([
    ['the second line', 'refused', 'first line ✓ 🚀\n- second\n- third', 3],
    ['the second line', 'timed out', 'first line ✓ 🚀\n- second\n- third', 3],
    ['a line break', 'timed out', 'one\ntwo\nthree', 4],
    ['Enter', 'refused', 'pasted in full', 2],
    ['the paste of a long text', 'timed out', `${'x'.repeat(900)}\nmore`, 1],
    ["a slash command's second line", 'refused', '/compact first ✓ 🚀\n- second\n- third', 3],
    ["a slash command's line break", 'timed out', '/compact one\ntwo\nthree', 4],
  ] as const)('clears what it typed from the prompt when typing fails part-way (at %s, %s), and reports the failure', async (_, failure, text, failAtCall) => {
    const box = new PromptBox(failAtCall, failure);
    await expect(new Delivery(box, text, timing).run()).rejects.toThrow(/send-keys failed/);
    expect(box.text).toBe('');
  });

  it('says an unconfirmed delivery may still arrive', async () => {
    const box = new PromptBox(0, 'refused');
    expect(await new Delivery(box, 'hello', timing).run()).toMatchObject({ delivered: false, attempts: 1, mayArriveLater: true });
  });

  it('never types the text again when the prompt box holds what Claude made of it, only into an empty box', async () => {
    // Claude changed the text in its box at Enter (as it does to invisible characters) and kept it there.
    let box = '';
    const typed: string[] = [];
    const press = async (actions: readonly KeyAction[]) => {
      for (const action of actions) {
        if ('paste' in action) {
          typed.push(action.paste);
          box += action.paste;
        } else if ('key' in action && action.key === 'Enter') box = 'what Claude made of it';
      }
    };
    const target = unconfirmingTarget({
      get screenState(): ScreenState {
        return { kind: 'idle', input: box };
      },
      keystrokes: (batch) => batch(press),
      readScreen: async () => ({ kind: 'idle', input: box }),
      untilScreen: async (test) => test({ kind: 'idle', input: box }),
    });
    const result = await new Delivery(target, 'typed once', { ...timing, deliveryAttempts: 3 }).run();
    expect(result).toMatchObject({ delivered: false, attempts: 3, mayArriveLater: true });
    expect(typed).toEqual(['typed once']);
  });

  it('presses Enter right after the pasted lines, waiting for no draw of them', async () => {
    const pressed: KeyAction[] = [];
    const target = unconfirmingTarget({
      keystrokes: (batch) =>
        batch(async (actions) => {
          for (const action of actions) pressed.push(action);
        }),
      // Neither the screen nor the output ever shows the text drawn.
      untilScreen: () => new Promise<boolean>(() => {}),
      watchEcho: () => ({ shows: () => false, until: () => new Promise<boolean>(() => {}), close: () => {} }),
    });
    await new Delivery(target, 'first line\nsecond line', { ...timing, typingSettleMs: TYPING_SETTLE_MS }).run();
    expect(pressed).toEqual([{ paste: 'first line' }, { key: 'C-j' }, { paste: 'second line' }, { key: 'Enter' }]);
  });

  it('presses Enter after a typed slash command as soon as the output shows it drawn, without waiting for a screen read to show it', async () => {
    let box = '';
    const pressed: string[] = [];
    let printed = '';
    const waits: Array<() => void> = [];
    const echo: Echo = {
      shows: (line) => printed.includes(line),
      until: (line) => new Promise((resolve) => waits.push(() => printed.includes(line) && resolve(true))),
      close: () => {},
    };
    const target = unconfirmingTarget({
      keystrokes: (batch) =>
        batch(async (actions) => {
          for (const action of actions) {
            if ('text' in action) box += action.text;
            if ('key' in action) pressed.push(action.key);
          }
          // Claude draws the typed text a moment after the keys; no screen read shows it in time.
          setImmediate(() => {
            printed = box;
            for (const wake of waits) wake();
          });
        }),
      // No screen read shows the command drawn; a command's confirmation, read from the screen, never comes either.
      untilScreen: (_test, timeoutMs) => (timeoutMs === TYPING_SETTLE_MS ? new Promise<boolean>(() => {}) : Promise.resolve(false)),
      watchEcho: () => echo,
    });
    await new Delivery(target, '/compact drawn at once', { ...timing, typingSettleMs: TYPING_SETTLE_MS }).run();
    expect(pressed).toEqual(['Enter']);
  });
});
