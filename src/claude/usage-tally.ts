/**
 * A session's token usage over all its transcripts, per model, counting each API response once.
 * Claude writes one transcript record per content block of a response, each repeating the response's
 * usage: a response is known by its message id, and the last of its records counts (a later block
 * may carry a larger output count). What a transcript claims is hostile: counts are whole, at least 0
 * and at most MAX_TOKENS_PER_RESPONSE; model names are bounded in length and in number.
 */
import type { TokenCounts } from './pricing.js';

/** One API response's usage, as its transcript records give it. */
export interface ResponseUsage extends TokenCounts {
  messageId: string;
  model: string;
}

/** The most tokens of one kind one response may claim (no context window comes near): more is taken as this. */
export const MAX_TOKENS_PER_RESPONSE = 100_000_000;
/** Models one session may name; a transcript naming more has the rest counted as OTHER_MODEL. */
export const MAX_MODELS = 32;
export const OTHER_MODEL = '(other)';
const MAX_NAME = 200;
/** How many recent API responses are remembered to count each once: Claude writes one response's records together. */
const RECENT_RESPONSES = 256;

export const zeroTokens = (): TokenCounts => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

/** A count as a transcript claims it, made safe: not a number, negative or fractional counts are bounded. */
export function tokenCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), MAX_TOKENS_PER_RESPONSE);
}

export class UsageTally {
  private readonly models = new Map<string, TokenCounts>();
  private readonly recent = new Map<string, ResponseUsage>();
  /** Responses counted (or counted again with new figures) since `takeChanged()`, by message id. */
  private readonly changed = new Map<string, ResponseUsage>();

  add(raw: ResponseUsage): void {
    const response = { ...raw, messageId: raw.messageId.slice(0, MAX_NAME), model: this.modelName(raw.model) };
    const counted = this.recent.get(response.messageId);
    if (counted) this.count(counted, -1);
    this.count(response, 1);
    this.recent.delete(response.messageId);
    this.recent.set(response.messageId, response);
    if (this.recent.size > RECENT_RESPONSES) this.recent.delete(this.recent.keys().next().value!);
    this.changed.set(response.messageId, response);
  }

  /** Tokens of every model together. */
  get totals(): TokenCounts {
    const sum = zeroTokens();
    for (const tokens of this.models.values()) addTokens(sum, tokens, 1);
    return sum;
  }

  /** Tokens per model, in the order the models first appeared. */
  byModel(): Array<[model: string, tokens: TokenCounts]> {
    return [...this.models].map(([model, tokens]) => [model, { ...tokens }]);
  }

  /** The responses counted since the last call, each once with its latest figures; forgets them. */
  takeChanged(): ResponseUsage[] {
    const changed = [...this.changed.values()];
    this.changed.clear();
    return changed;
  }

  private modelName(model: string): string {
    const name = model.slice(0, MAX_NAME) || 'unknown';
    return this.models.has(name) || this.models.size < MAX_MODELS ? name : OTHER_MODEL;
  }

  private count(response: ResponseUsage, sign: 1 | -1): void {
    let tokens = this.models.get(response.model);
    if (!tokens) this.models.set(response.model, (tokens = zeroTokens()));
    addTokens(tokens, response, sign);
  }
}

export function addTokens(into: TokenCounts, from: TokenCounts, sign: 1 | -1 = 1): void {
  into.inputTokens += sign * from.inputTokens;
  into.outputTokens += sign * from.outputTokens;
  into.cacheReadTokens += sign * from.cacheReadTokens;
  into.cacheWriteTokens += sign * from.cacheWriteTokens;
}
