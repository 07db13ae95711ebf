/**
 * The daemon's usage ledger: every session hands it the API responses its transcripts hold, and it
 * prices them (with the price table of the moment they are counted) and records each once, by UTC day,
 * account and model. Its totals outlive restarts and deleted sessions; `UsageTotals` is how others
 * (metrics, budgets) read them.
 *
 * An account is whom a session's usage is charged to: its owner key's id, or `master` (created with
 * the master token) or `local` (the token-less loopback mode).
 */
import { costUsd, roundUsd, type PriceTable, type TokenCounts } from '../claude/pricing.js';
import { addTokens, zeroTokens, type ResponseUsage } from '../claude/usage-tally.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { UsageEntry, UsageRepository, UsageTotalsRow } from './usage-repository.js';

/** Usage summed over some rows. */
export interface UsageSum extends TokenCounts {
  /** The cost of the priced responses; null when responses were counted and none had a price. */
  costUsd: number | null;
  /** API responses counted, and how many of them had no price (their tokens count, their cost is unknown). */
  messages: number;
  unpricedMessages: number;
}

/** What a reader of the totals (the metrics) may ask. Every figure is since the ledger began. */
export interface UsageTotals {
  /** Everything the daemon counted. */
  total(): UsageSum;
  /** Per model, in name order; a model never priced has `costUsd: null`. */
  byModel(): Array<UsageSum & { model: string }>;
  /** Per account (key id, `master`, `local`), in name order. */
  byAccount(): Array<UsageSum & { account: string }>;
  /** One account's usage on one UTC day (YYYY-MM-DD; today when left out). */
  accountDay(account: string, day?: string): UsageSum;
}

export const MASTER_ACCOUNT = 'master';
export const LOCAL_ACCOUNT = 'local';

/** The UTC day of a moment, YYYY-MM-DD. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export class UsageLedger implements UsageTotals {
  private readonly now: () => number;

  constructor(
    private readonly repository: UsageRepository,
    private readonly prices: PriceTable,
    private readonly logger: Logger,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  today(): string {
    return utcDay(this.now());
  }

  /** Records a session's responses; a store that cannot be written loses them until the transcript is read again. */
  count(sessionId: string, account: string, responses: readonly ResponseUsage[]): void {
    if (responses.length === 0) return;
    const day = this.today();
    const entries: UsageEntry[] = responses.map((r) => ({
      sessionId, account, day,
      messageId: r.messageId,
      model: r.model,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      cacheReadTokens: r.cacheReadTokens,
      cacheWriteTokens: r.cacheWriteTokens,
      costUsd: costUsd(this.prices, r.model, r),
    }));
    try {
      this.repository.record(entries);
    } catch (err) {
      this.logger.error({ sessionId, err: errorMessage(err) }, 'cannot record usage; it is counted when the transcript is read again');
    }
  }

  /** Notes a budget crossing once; false when it was noted before (or cannot be noted: nothing is announced twice). */
  noteCrossing(subject: string, period: string, level: string): boolean {
    try {
      return this.repository.noteCrossing(subject, period, level, new Date(this.now()).toISOString());
    } catch (err) {
      this.logger.error({ subject, level, err: errorMessage(err) }, 'cannot note a budget crossing; it is announced without being remembered');
      return true;
    }
  }

  forgetSession(sessionId: string): void {
    try {
      this.repository.forgetSession(sessionId);
    } catch (err) {
      this.logger.warn({ sessionId, err: errorMessage(err) }, 'cannot forget a deleted session\'s usage records');
    }
  }

  total(): UsageSum {
    return sum(this.repository.totals());
  }

  byModel(): Array<UsageSum & { model: string }> {
    return grouped(this.repository.totals(), (r) => r.model).map(([model, rows]) => {
      const s = sum(rows);
      // A model with any unpriced response has no price: its cost is unknown, not a partial figure.
      return { model, ...s, costUsd: s.unpricedMessages > 0 ? null : s.costUsd };
    });
  }

  byAccount(): Array<UsageSum & { account: string }> {
    return grouped(this.repository.totals(), (r) => r.account).map(([account, rows]) => ({ account, ...sum(rows) }));
  }

  accountDay(account: string, day = this.today()): UsageSum {
    return sum(this.repository.totals({ account, day }));
  }
}

function sum(rows: readonly UsageTotalsRow[]): UsageSum {
  const tokens = zeroTokens();
  let cost = 0;
  let messages = 0;
  let unpricedMessages = 0;
  for (const row of rows) {
    addTokens(tokens, row);
    cost += row.costUsd;
    messages += row.messages;
    unpricedMessages += row.unpricedMessages;
  }
  const priced = messages === 0 || unpricedMessages < messages;
  return { ...tokens, costUsd: priced ? roundUsd(cost) : null, messages, unpricedMessages };
}

function grouped(rows: readonly UsageTotalsRow[], by: (row: UsageTotalsRow) => string): Array<[string, UsageTotalsRow[]]> {
  const groups = new Map<string, UsageTotalsRow[]>();
  for (const row of rows) {
    const name = by(row);
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
