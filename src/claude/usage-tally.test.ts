import { describe, expect, it } from 'vitest';
import { MAX_MODELS, MAX_TOKENS_PER_RESPONSE, OTHER_MODEL, tokenCount, UsageTally } from './usage-tally.js';

const response = (messageId: string, inputTokens: number, outputTokens: number, model = 'claude-opus-5-5') => ({ messageId, model, inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 });

describe('UsageTally', () => {
  it("sums over parsers (a session's transcripts), counting each response once, its last record counting", () => {
    const usage = new UsageTally();
    usage.add(response('a', 100, 1));
    usage.add(response('a', 100, 7)); // the same response's next content block: output grew
    usage.add(response('b', 50, 3));
    expect(usage.totals).toMatchObject({ inputTokens: 150, outputTokens: 10 });
  });

  it('keeps each model apart', () => {
    const usage = new UsageTally();
    usage.add(response('a', 100, 1, 'claude-opus-5-5'));
    usage.add(response('b', 10, 2, 'claude-haiku-4-5'));
    usage.add(response('c', 5, 5, 'claude-opus-5-5'));
    expect(usage.byModel()).toEqual([
      ['claude-opus-5-5', { inputTokens: 105, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0 }],
      ['claude-haiku-4-5', { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 }],
    ]);
  });

  it('hands over each changed response once, with its latest figures', () => {
    const usage = new UsageTally();
    usage.add(response('a', 100, 1));
    usage.add(response('a', 100, 7));
    usage.add(response('b', 50, 3));
    expect(usage.takeChanged().map((r) => [r.messageId, r.outputTokens])).toEqual([['a', 7], ['b', 3]]);
    expect(usage.takeChanged()).toEqual([]);
    usage.add(response('b', 50, 4));
    expect(usage.takeChanged().map((r) => [r.messageId, r.outputTokens])).toEqual([['b', 4]]);
  });

  it('keeps memory constant: responses long past are no longer remembered', () => {
    const usage = new UsageTally();
    for (let i = 0; i < 10_000; i++) usage.add(response(`m${i}`, 1, 1));
    expect(usage.totals).toMatchObject({ inputTokens: 10_000, outputTokens: 10_000 });
    expect((usage as unknown as { recent: Map<string, unknown> }).recent.size).toBeLessThanOrEqual(256);
  });

  it('counts a transcript naming ever more models under a bounded number of names', () => {
    const usage = new UsageTally();
    for (let i = 0; i < 1000; i++) usage.add(response(`m${i}`, 1, 1, `model-${i}`));
    const models = usage.byModel();
    expect(models).toHaveLength(MAX_MODELS + 1);
    expect(models.at(-1)![0]).toBe(OTHER_MODEL);
    expect(usage.totals.inputTokens).toBe(1000);
  });
});

describe('tokenCount', () => {
  it('takes absurd claims as bounded whole numbers', () => {
    expect(tokenCount(12)).toBe(12);
    expect(tokenCount(12.7)).toBe(12);
    expect(tokenCount(-5)).toBe(0);
    expect(tokenCount(Number.NaN)).toBe(0);
    expect(tokenCount('100')).toBe(0);
    expect(tokenCount(1e300)).toBe(MAX_TOKENS_PER_RESPONSE);
    expect(tokenCount(Number.POSITIVE_INFINITY)).toBe(0);
  });
});
