/**
 * What tokens cost: USD per million tokens of each kind, per model. The built-in table holds Anthropic's
 * list prices for current Claude models (and the prices Claude Code itself applies to claude-opus-5-5,
 * its default); the configuration's `pricing` adds models or replaces their prices. A model is priced
 * under its own name or as a dated release of a priced name (`claude-sonnet-4-5-20250929`); any other
 * model has no price, and its cost is `null`, never a guess from a similar name.
 */
import type { ModelPrice, PriceTable } from '../config/schema.js';

export type { ModelPrice, PriceTable };

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** A price whose cache writes cost 1.25 times input (5-minute cache) and cache reads a tenth of it. */
const listPrice = (input: number, output: number): ModelPrice => ({ input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 });

export const DEFAULT_PRICES: PriceTable = {
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  'claude-opus-4-5': listPrice(5, 25),
  'claude-opus-4-1': listPrice(15, 75),
  'claude-opus-4': listPrice(15, 75),
  'claude-sonnet-4-5': listPrice(3, 15),
  'claude-sonnet-4': listPrice(3, 15),
  'claude-3-7-sonnet': listPrice(3, 15),
  'claude-haiku-4-5': listPrice(1, 5),
  'claude-3-5-haiku': listPrice(0.8, 4),
  'claude-3-haiku': listPrice(0.25, 1.25),
};

/** A dated release of a model: its name, then `-YYYYMMDD`. */
const DATED = /^(.+)-\d{8}$/;

/** The built-in table with the configuration's entries over it. */
export function priceTable(configured: PriceTable = {}): PriceTable {
  return { ...DEFAULT_PRICES, ...configured };
}

export function priceOf(table: PriceTable, model: string): ModelPrice | null {
  if (Object.hasOwn(table, model)) return table[model]!;
  const undated = DATED.exec(model)?.[1];
  return undated !== undefined && Object.hasOwn(table, undated) ? table[undated]! : null;
}

/** The cost of `tokens` of `model` in USD; null when the model has no price. */
export function costUsd(table: PriceTable, model: string, tokens: TokenCounts): number | null {
  const price = priceOf(table, model);
  if (!price) return null;
  return (
    tokens.inputTokens * price.input +
    tokens.outputTokens * price.output +
    tokens.cacheWriteTokens * price.cacheWrite +
    tokens.cacheReadTokens * price.cacheRead
  ) / 1_000_000;
}

/** A cost as reported: rounded to a millionth of a cent, so sums of floats read as the prices give them. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
