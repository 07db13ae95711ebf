/**
 * A session's usage as it grows: each chunk of transcript read hands over the tally, whose new or
 * changed responses go to the daemon's ledger (which counts each once, across restarts and /clear);
 * the session's own figures (per model, priced with the table) become its `usage`; its budgets are
 * checked. Part of the session it belongs to.
 */
import { costUsd, roundUsd, type PriceTable } from '../claude/pricing.js';
import type { UsageTally } from '../claude/usage-tally.js';
import type { SessionUsage } from './session-record.js';
import { SessionBudget, type BudgetsContext } from './session-budget.js';

/** What every session's usage shares: the ledger, the prices, the budgets' policy. */
export interface UsageContext extends BudgetsContext {
  prices: PriceTable;
}

export class SessionUsageTracker {
  private readonly budget: SessionBudget;

  constructor(
    private readonly context: UsageContext,
    private readonly session: ConstructorParameters<typeof SessionBudget>[1] & {
      /** The session's usage changed: it is kept (and saved soon). */
      changed: (usage: SessionUsage) => void;
    },
  ) {
    this.budget = new SessionBudget(context, session);
  }

  /** The transcript was read further: counts what is new, and checks the budgets if anything was. */
  update(tally: UsageTally): void {
    const responses = tally.takeChanged();
    if (responses.length === 0) return;
    this.context.ledger.count(this.session.id, this.session.account, responses);
    const usage = usageOf(tally, this.context.prices);
    this.session.changed(usage);
    const tokens = usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    this.budget.check(usage.costUsd ?? 0, tokens);
  }

  /** Throws BUDGET_EXCEEDED when the session may take no more prompts. */
  checkSend(): void {
    this.budget.checkSend();
  }
}

/** A tally as the Session object shows it: per model priced with the table, and together. */
export function usageOf(tally: UsageTally, prices: PriceTable): SessionUsage {
  const byModel = tally.byModel().map(([model, tokens]) => {
    const cost = costUsd(prices, model, tokens);
    return { model, ...tokens, costUsd: cost === null ? null : roundUsd(cost) };
  });
  const priced = byModel.filter((m) => m.costUsd !== null);
  const total = priced.length === 0 && byModel.length > 0 ? null : roundUsd(priced.reduce((sum, m) => sum + m.costUsd!, 0));
  return { ...tally.totals, costUsd: total, byModel };
}
