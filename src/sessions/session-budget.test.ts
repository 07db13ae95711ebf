import { describe, expect, it } from 'vitest';
import { priceTable } from '../claude/pricing.js';
import { UsageTally } from '../claude/usage-tally.js';
import type { BudgetAction } from '../config/schema.js';
import { AegisError } from '../errors.js';
import { silentLogger } from '../log.js';
import { levelsReached, secondsUntilNextUtcDay, type BudgetEvent } from './session-budget.js';
import { SessionUsageTracker, usageOf } from './session-usage.js';
import { UsageLedger } from './usage-ledger.js';
import { MemoryUsageRepository } from './usage-repository.js';

/** claude-opus-5-5 input costs 4 USD per million tokens: 250 000 tokens are 1 USD. */
const dollars = (messageId: string, usd: number, model = 'claude-opus-5-5') =>
  ({ messageId, model, inputTokens: usd * 250_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

function tracked({ maxCostUsd = null, maxTokens = null, action = 'interrupt', dailyBudget = null, repository = new MemoryUsageRepository(), id = 's1' }: {
  maxCostUsd?: number | null; maxTokens?: number | null; action?: BudgetAction; dailyBudget?: number | null; repository?: MemoryUsageRepository; id?: string;
} = {}) {
  const events: Array<{ type: string } & BudgetEvent> = [];
  const stops: string[] = [];
  const exceededAccounts: string[] = [];
  const ledger = new UsageLedger(repository, priceTable(), silentLogger);
  const tally = new UsageTally();
  const tracker = new SessionUsageTracker(
    { ledger, prices: priceTable(), action, dailyBudgetOf: () => dailyBudget, accountExceeded: (account) => void exceededAccounts.push(account) },
    {
      id, account: 'key_a', maxCostUsd, maxTokens,
      publish: (type, fields) => void events.push({ type, ...fields }),
      stop: (a) => void stops.push(a),
      changed: () => {},
    },
  );
  const spend = (...responses: Array<ReturnType<typeof dollars>>) => {
    for (const r of responses) tally.add(r);
    tracker.update(tally);
  };
  return { events, stops, exceededAccounts, tracker, spend, ledger, repository };
}

describe('levelsReached', () => {
  it('warns at 80% and is exceeded at 100%', () => {
    expect(levelsReached(0.79, 1)).toEqual([]);
    expect(levelsReached(0.8, 1)).toEqual(['warning']);
    expect(levelsReached(1, 1)).toEqual(['warning', 'exceeded']);
  });
});

describe('secondsUntilNextUtcDay', () => {
  it('counts to the next UTC midnight', () => {
    expect(secondsUntilNextUtcDay(Date.parse('2026-12-06T23:59:00Z'))).toBe(60);
    expect(secondsUntilNextUtcDay(Date.parse('2026-12-06T00:00:00Z'))).toBe(24 * 3600);
  });
});

describe("a session's budget", () => {
  it('warns once at 80%, then is exceeded once at 100% and carries out the action', () => {
    const t = tracked({ maxCostUsd: 1 });
    t.spend(dollars('m1', 0.5));
    expect(t.events).toEqual([]);
    t.spend(dollars('m2', 0.3));
    expect(t.events).toEqual([{ type: 'budget_warning', scope: 'session', kind: 'cost', limit: 1, used: 0.8, action: 'interrupt' }]);
    t.spend(dollars('m3', 0.1));
    expect(t.events).toHaveLength(1);
    t.spend(dollars('m4', 0.2));
    expect(t.events.map((e) => e.type)).toEqual(['budget_warning', 'budget_exceeded']);
    expect(t.events[1]).toMatchObject({ limit: 1, used: 1.1, action: 'interrupt' });
    expect(t.stops).toEqual(['interrupt']);
    t.spend(dollars('m5', 1));
    expect(t.events).toHaveLength(2);
    expect(t.stops).toEqual(['interrupt']);
  });

  it('publishes both events for one jump past the budget', () => {
    const t = tracked({ maxTokens: 1000, action: 'kill' });
    t.spend({ messageId: 'm1', model: 'claude-opus-5-5', inputTokens: 900, outputTokens: 50, cacheReadTokens: 100, cacheWriteTokens: 0 });
    expect(t.events.map((e) => [e.type, e.kind, e.used])).toEqual([['budget_warning', 'tokens', 1050], ['budget_exceeded', 'tokens', 1050]]);
    expect(t.stops).toEqual(['kill']);
  });

  it('announces nothing again after a restart, yet still refuses sends', () => {
    const repository = new MemoryUsageRepository();
    const before = tracked({ maxCostUsd: 1, repository });
    before.spend(dollars('m1', 1.5));
    expect(before.events).toHaveLength(2);
    const after = tracked({ maxCostUsd: 1, repository });
    after.spend(dollars('m1', 1.5));
    expect(after.events).toEqual([]);
    expect(after.stops).toEqual([]);
    expect(() => after.tracker.checkSend()).toThrow(expect.objectContaining({ code: 'BUDGET_EXCEEDED', status: 429 }));
  });

  it('with the notify action, only announces: sends still go', () => {
    const t = tracked({ maxCostUsd: 1, action: 'notify' });
    t.spend(dollars('m1', 2));
    expect(t.events.map((e) => e.type)).toEqual(['budget_warning', 'budget_exceeded']);
    expect(t.stops).toEqual([]);
    expect(() => t.tracker.checkSend()).not.toThrow();
  });

  it('does not price an unknown model: its tokens count against maxTokens, not maxCostUsd', () => {
    const t = tracked({ maxCostUsd: 0.01 });
    t.spend(dollars('m1', 100, 'my-local-model'));
    expect(t.events).toEqual([]);
  });
});

describe("a key's daily budget", () => {
  it('warns and is exceeded once per day over all its sessions, stopping them all, and refuses sends until the next UTC day', () => {
    const repository = new MemoryUsageRepository();
    const one = tracked({ dailyBudget: 10, repository, id: 's1' });
    const two = tracked({ dailyBudget: 10, repository, id: 's2' });
    one.spend(dollars('m1', 5));
    two.spend(dollars('m1', 3.5));
    expect(two.events).toEqual([{ type: 'budget_warning', scope: 'key', kind: 'cost', keyId: 'key_a', limit: 10, used: 8.5, action: 'interrupt' }]);
    one.spend(dollars('m2', 2));
    expect(one.events.map((e) => e.type)).toEqual(['budget_exceeded']);
    expect(one.exceededAccounts).toEqual(['key_a']);
    two.spend(dollars('m2', 1));
    expect(two.events).toHaveLength(1);
    let refusal: AegisError | undefined;
    try {
      two.tracker.checkSend();
    } catch (err) {
      refusal = err as AegisError;
    }
    expect(refusal).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { scope: 'key', limit: 10, used: 11.5 } });
    expect(refusal!.details!.retryAfterSeconds).toBeGreaterThan(0);
    expect(refusal!.details!.retryAfterSeconds).toBeLessThanOrEqual(24 * 3600);
  });
});

describe('usageOf', () => {
  it('prices each model, sums the priced ones, and gives null when none was priced', () => {
    const tally = new UsageTally();
    tally.add(dollars('m1', 1));
    tally.add(dollars('m2', 1, 'my-local-model'));
    expect(usageOf(tally, priceTable())).toMatchObject({ inputTokens: 500_000, costUsd: 1, byModel: [{ model: 'claude-opus-5-5', costUsd: 1 }, { model: 'my-local-model', costUsd: null }] });
    const unknownOnly = new UsageTally();
    unknownOnly.add(dollars('m1', 1, 'my-local-model'));
    expect(usageOf(unknownOnly, priceTable()).costUsd).toBeNull();
  });
});
