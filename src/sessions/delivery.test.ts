import { describe, expect, it } from 'vitest';
import { Delivery, type DeliveryDeps } from './delivery.js';
import { LiveSession } from './live-session.js';
import type { SessionRecord } from './session.js';

/**
 * Claude's prompt box as keys change it. One chosen call fails the way a tmux command can: refused
 * (nothing happened) or timed out (it may have happened all the same).
 */
class PromptBox {
  text = '';
  calls = 0;
  constructor(
    private readonly failAtCall: number,
    private readonly failure: 'refused' | 'timed out',
  ) {}

  private call(effect: () => void): void {
    const failing = ++this.calls === this.failAtCall;
    if (!failing || this.failure === 'timed out') effect();
    if (failing) throw new Error(`tmux send-keys failed: ${this.failure}`);
  }

  readonly tmux: DeliveryDeps['tmux'] = {
    typeText: async (_pane, text) => this.call(() => (this.text += text)),
    paste: async (_pane, text) => this.call(() => (this.text += `[Pasted text #1 +${text.split('\n').length - 1} lines]`)),
    pressKeys: async (_pane, ...keys) => this.call(() => keys.forEach((key) => this.press(key))),
    pressKey: async (_pane, key, times) => this.call(() => Array.from({ length: times }, () => this.press(key))),
  };

  private press(key: string): void {
    if (key === 'C-j') this.text += '\n';
    else if (key === 'BSpace') this.text = this.text.endsWith(']') ? this.text.replace(/\[Pasted text[^\]]*\]$/, '') : [...this.text].slice(0, -1).join('');
    else if (key === 'Enter') this.text = '';
  }
}

function session(): LiveSession {
  const now = new Date().toISOString();
  const record: SessionRecord = {
    id: 'a0000000-0000-4000-8000-000000000000', name: 's', workDir: '/tmp', status: 'idle', model: null, permissionMode: 'default',
    permissionProfile: null, createdAt: now, lastActivityAt: now, statusChangedAt: now, ownerKeyId: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 }, exit: null,
    idleTimeoutMs: null, stallThresholdMs: null, windowId: '@1', paneId: '%1', panePid: 0, hookSecretHash: '', transcriptPath: '/nonexistent/t.jsonl',
  };
  return new LiveSession(record);
}

const timing = { deliveryAttemptMs: 10, deliveryAttempts: 1, transcriptSettleMs: 0, typingSettleMs: 0 };

describe('Delivery', () => {
  it.each([
    ['the second line', 'refused', 'first line ✓ 🚀\n- second\n- third', 3],
    ['the second line', 'timed out', 'first line ✓ 🚀\n- second\n- third', 3],
    ['a line break', 'timed out', 'one\ntwo\nthree', 4],
    ['Enter', 'refused', 'typed in full', 2],
    ['the paste of a long text', 'timed out', `${'x'.repeat(900)}\nmore`, 1],
  ] as const)('clears what it typed from the prompt when typing fails part-way (at %s, %s), and reports the failure', async (_, failure, text, failAtCall) => {
    const box = new PromptBox(failAtCall, failure);
    await expect(new Delivery(session(), text, { tmux: box.tmux, timing, refresh: async () => ({ kind: 'unknown' }) }).run()).rejects.toThrow(/send-keys failed/);
    expect(box.text).toBe('');
  });
});
