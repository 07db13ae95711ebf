import { describe, expect, it } from 'vitest';
import { costUsd, priceOf, priceTable } from './pricing.js';

const million = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 0, cacheWriteTokens: 0 };
const cache = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000 };

describe('pricing', () => {
  it('prices current models by the built-in table: claude-opus-5-5 as Claude itself does, others at list prices', () => {
    const table = priceTable();
    expect(costUsd(table, 'claude-opus-5-5', million)).toBe(24);
    expect(costUsd(table, 'claude-opus-4-1', million)).toBe(90);
    expect(costUsd(table, 'claude-sonnet-4-5', million)).toBe(18);
    expect(costUsd(table, 'claude-haiku-4-5', million)).toBe(6);
    expect(costUsd(table, 'claude-opus-5-5', cache)).toBeCloseTo(5.2, 9);
    expect(costUsd(table, 'claude-sonnet-4-5', cache)).toBeCloseTo(3 * 1.25 + 3 * 0.1, 9);
  });

  it('prices a dated release as its model, and nothing else by a similar name', () => {
    const table = priceTable();
    expect(priceOf(table, 'claude-sonnet-4-5-20250929')).toEqual(priceOf(table, 'claude-sonnet-4-5'));
    expect(priceOf(table, 'claude-3-5-haiku-20241022')).toEqual(priceOf(table, 'claude-3-5-haiku'));
    expect(priceOf(table, 'claude-sonnet-4-7')).toBeNull();
    expect(priceOf(table, 'claude-sonnet-4-5-preview')).toBeNull();
    expect(priceOf(table, 'my-local-model')).toBeNull();
    expect(priceOf(table, '__proto__')).toBeNull();
    expect(costUsd(table, 'my-local-model', million)).toBeNull();
  });

  it("takes the configuration's prices over the built-in ones, and its models besides", () => {
    const table = priceTable({ 'claude-opus-5-5': { input: 1, output: 2, cacheWrite: 0, cacheRead: 0 }, 'my-local-model': { input: 0.5, output: 0.5, cacheWrite: 0, cacheRead: 0 } });
    expect(costUsd(table, 'claude-opus-5-5', million)).toBe(3);
    expect(costUsd(table, 'my-local-model', million)).toBe(1);
    expect(costUsd(table, 'claude-sonnet-4-5', million)).toBe(18);
  });
});
