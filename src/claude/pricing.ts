/**
 * Cost of tokens while Claude's transcript does not say (Claude records its own `cost-state` only as
 * it exits): prices in USD per million tokens, the ones Claude Code itself applies where known (it
 * priced claude-opus-5-5 at 4 / 20 / 5 / 0.2 for input / output / cache write / cache read), list prices
 * by model family otherwise. An estimate; Claude's own figure wins whenever the transcript has one.
 */
interface Price {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

const family = (input: number, output: number): Price => ({ input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 });

const PER_MILLION: Array<[RegExp, Price]> = [
  [/opus-5/i, { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 }],
  [/opus/i, family(15, 75)],
  [/haiku/i, family(0.8, 4)],
  [/sonnet|/i, family(3, 15)],
];

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export function estimateCostUsd(model: string, tokens: TokenCounts): number {
  const price = PER_MILLION.find(([pattern]) => pattern.test(model))![1];
  return (
    tokens.inputTokens * price.input +
    tokens.outputTokens * price.output +
    tokens.cacheWriteTokens * price.cacheWrite +
    tokens.cacheReadTokens * price.cacheRead
  ) / 1_000_000;
}
