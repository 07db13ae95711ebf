/**
 * Cost of tokens when Claude's transcript does not say (it records `cost-state` only in some
 * setups): list prices in USD per million tokens by model family, cache writes at 1.25 × input and
 * cache reads at 0.1 × input. An estimate; Claude's own figure wins whenever the transcript has one.
 */
const PER_MILLION: Array<[RegExp, { input: number; output: number }]> = [
  [/opus/i, { input: 15, output: 75 }],
  [/haiku/i, { input: 0.8, output: 4 }],
  [/sonnet|/i, { input: 3, output: 15 }],
];

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export function estimateCostUsd(model: string, tokens: TokenCounts): number {
  const price = PER_MILLION.find(([family]) => family.test(model))![1];
  const input = tokens.inputTokens + tokens.cacheWriteTokens * 1.25 + tokens.cacheReadTokens * 0.1;
  return (input * price.input + tokens.outputTokens * price.output) / 1_000_000;
}
