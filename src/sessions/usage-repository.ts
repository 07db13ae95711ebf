/**
 * How usage persists, as sessions/ needs it: a ledger of API responses, each recorded once per session
 * and message id, whose totals by UTC day, account and model outlive restarts and deleted sessions;
 * and the budget crossings already announced, so an event is published once per crossing. SQLite
 * implements it (src/store/usage-store.ts, by shape); so does the memory repository below, for tests.
 */
import type { TokenCounts } from '../claude/pricing.js';

/** One API response to record. `account` is the owner key's id, or `master` / `local`. */
export interface UsageEntry extends TokenCounts {
  sessionId: string;
  messageId: string;
  account: string;
  model: string;
  /** The UTC day (YYYY-MM-DD) the response was first counted. */
  day: string;
  /** Null: the model had no price when it was counted. */
  costUsd: number | null;
}

/** Totals of one day, account and model. */
export interface UsageTotalsRow extends TokenCounts {
  day: string;
  account: string;
  model: string;
  /** The cost of the priced responses. */
  costUsd: number;
  /** Responses counted, and how many of them had no price. */
  messages: number;
  unpricedMessages: number;
}

export interface UsageRepository {
  /**
   * Records responses: one not yet recorded for its session is added to its day's totals; one recorded
   * before with the same figures changes nothing (its cost stays as first priced); one recorded before
   * with other figures has them replaced and only the difference added (to the day it was first counted).
   */
  record(entries: readonly UsageEntry[]): void;
  /** Every totals row, optionally only those of one account and day. */
  totals(filter?: { account: string; day: string }): UsageTotalsRow[];
  /** Forgets which responses a deleted session had (its totals stay). */
  forgetSession(sessionId: string): void;
  /** Notes that `subject` crossed `level` in `period`; false when that was noted before. */
  noteCrossing(subject: string, period: string, level: string, at: string): boolean;
}

type Recorded = UsageEntry;

/** A repository in memory, for tests. */
export class MemoryUsageRepository implements UsageRepository {
  private readonly messages = new Map<string, Recorded>();
  private readonly rows = new Map<string, UsageTotalsRow>();
  private readonly crossings = new Set<string>();

  record(entries: readonly UsageEntry[]): void {
    for (const entry of entries) {
      const key = JSON.stringify([entry.sessionId, entry.messageId]);
      const before = this.messages.get(key);
      if (before && sameFigures(before, entry)) continue;
      const now = before ? { ...entry, day: before.day } : { ...entry };
      if (before) this.apply(before, -1);
      this.apply(now, 1);
      this.messages.set(key, now);
    }
  }

  totals(filter?: { account: string; day: string }): UsageTotalsRow[] {
    return [...this.rows.values()].filter((r) => !filter || (r.account === filter.account && r.day === filter.day)).map((r) => ({ ...r }));
  }

  forgetSession(sessionId: string): void {
    for (const [key, message] of this.messages) if (message.sessionId === sessionId) this.messages.delete(key);
  }

  noteCrossing(subject: string, period: string, level: string): boolean {
    const key = JSON.stringify([subject, period, level]);
    if (this.crossings.has(key)) return false;
    this.crossings.add(key);
    return true;
  }

  private apply(entry: Recorded, sign: 1 | -1): void {
    const key = JSON.stringify([entry.day, entry.account, entry.model]);
    let row = this.rows.get(key);
    if (!row) {
      row = { day: entry.day, account: entry.account, model: entry.model, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, messages: 0, unpricedMessages: 0 };
      this.rows.set(key, row);
    }
    row.inputTokens += sign * entry.inputTokens;
    row.outputTokens += sign * entry.outputTokens;
    row.cacheReadTokens += sign * entry.cacheReadTokens;
    row.cacheWriteTokens += sign * entry.cacheWriteTokens;
    row.costUsd += sign * (entry.costUsd ?? 0);
    row.messages += sign;
    if (entry.costUsd === null) row.unpricedMessages += sign;
  }
}

function sameFigures(a: UsageEntry, b: UsageEntry): boolean {
  return (
    a.account === b.account && a.model === b.model && a.inputTokens === b.inputTokens && a.outputTokens === b.outputTokens &&
    a.cacheReadTokens === b.cacheReadTokens && a.cacheWriteTokens === b.cacheWriteTokens
  );
}
