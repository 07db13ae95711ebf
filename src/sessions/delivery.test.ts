import { describe, expect, it } from 'vitest';
import type { ScreenState } from '../claude/screen.js';
import type { KeyAction } from '../claude/terminal-ui.js';
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
    if ('paste' in action) this.text += `[Pasted text #1 +${action.paste.split('\n').length - 1} lines]`;
    else if ('text' in action) this.text += action.text;
    else for (let i = 0; i < (action.times ?? 1); i++) this.pressKey(action.key);
  }

  private pressKey(key: string): void {
    if (key === 'C-j') this.text += '\n';
    else if (key === 'BSpace') this.text = this.text.endsWith(']') ? this.text.replace(/\[Pasted text[^\]]*\]$/, '') : [...this.text].slice(0, -1).join('');
    else if (key === 'Enter') this.text = '';
  }
}

const timing = { deliveryAttemptMs: 10, deliveryAttempts: 1, transcriptSettleMs: 0, typingSettleMs: 0, typedDrawSettleMs: 0 };

describe('Delivery', () => {
  it.each([
    ['the second line', 'refused', 'first line ✓ 🚀\n- second\n- third', 3],
    ['the second line', 'timed out', 'first line ✓ 🚀\n- second\n- third', 3],
    ['a line break', 'timed out', 'one\ntwo\nthree', 4],
    ['Enter', 'refused', 'typed in full', 2],
    ['the paste of a long text', 'timed out', `${'x'.repeat(900)}\nmore`, 1],
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
    const file = {};
    const press = async (actions: readonly KeyAction[]) => {
      for (const action of actions) {
        if ('text' in action) {
          typed.push(action.text);
          box += action.text;
        } else if ('key' in action && action.key === 'Enter') box = 'what Claude made of it';
      }
    };
    const target: DeliveryTarget = {
      acceptedPrompts: 0,
      get screenState(): ScreenState {
        return { kind: 'idle', input: box };
      },
      screenText: '',
      exited: false,
      turnRunning: false,
      gone: false,
      transcriptMark: () => ({ file, records: 0, userRecords: 0 }),
      waitUntil: async (condition) => condition(),
      keystrokes: (batch) => batch(press),
      readScreen: async () => ({ kind: 'idle', input: box }),
      untilScreen: async (test) => test({ kind: 'idle', input: box }),
      watchEcho: () => NO_ECHO,
    };
    const result = await new Delivery(target, 'typed once', { ...timing, deliveryAttempts: 3 }).run();
    expect(result).toMatchObject({ delivered: false, attempts: 3, mayArriveLater: true });
    expect(typed).toEqual(['typed once']);
  });

  it('presses Enter as soon as the output shows the typed text drawn, without waiting for a screen read to show it', async () => {
    let box = '';
    const pressed: string[] = [];
    let printed = '';
    const waits: Array<() => void> = [];
    const echo: Echo = {
      shows: (line) => printed.includes(line),
      until: (line) => new Promise((resolve) => waits.push(() => printed.includes(line) && resolve(true))),
      close: () => {},
    };
    const file = {};
    const target: DeliveryTarget = {
      acceptedPrompts: 0,
      get screenState(): ScreenState {
        return { kind: 'idle', input: '' };
      },
      screenText: '',
      exited: false,
      turnRunning: false,
      gone: false,
      transcriptMark: () => ({ file, records: 0, userRecords: 0 }),
      waitUntil: async (condition) => condition(),
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
      readScreen: async () => ({ kind: 'idle', input: '' }),
      untilScreen: () => new Promise<boolean>(() => {}),
      watchEcho: () => echo,
    };
    await new Delivery(target, 'drawn at once', { ...timing, typingSettleMs: 60_000 }).run();
    expect(pressed).toEqual(['Enter']);
  });
});
