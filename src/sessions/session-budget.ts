/**
 * Budgets that stop work: a session's own (`maxCostUsd`, `maxTokens`) and its account's daily cost
 * budget (a key's `budgetUsd`, per UTC day). At 80% of a budget `budget_warning` is published, at 100%
 * `budget_exceeded`, each once per crossing (remembered in the ledger, so not again after a restart),
 * and the configured action follows. What is over its budget takes no new work: a key until the next
 * UTC day, a session for good (unless the action is `notify`). Aegis enforces this from the transcript:
 * Claude's own --max-budget-usd works only in print mode.
 */
import type { BudgetAction } from '../config/schema.js';
import { AegisError } from '../errors.js';
import type { UsageLedger } from './usage-ledger.js';

export const WARNING_SHARE = 0.8;
export type BudgetLevel = 'warning' | 'exceeded';

/** The levels `used` has reached of `limit`, lowest first. */
export function levelsReached(used: number, limit: number): BudgetLevel[] {
  if (used >= limit) return ['warning', 'exceeded'];
  return used >= limit * WARNING_SHARE ? ['warning'] : [];
}

/** What a budget event says. */
export interface BudgetEvent {
  scope: 'session' | 'key';
  kind: 'cost' | 'tokens';
  limit: number;
  used: number;
  /** What follows at 100%. */
  action: BudgetAction;
  keyId?: string;
}

export interface BudgetsContext {
  ledger: UsageLedger;
  action: BudgetAction;
  /** An account's daily budget in USD; null when it has none (the master token, the open mode, a key without one). */
  dailyBudgetOf(account: string): number | null;
  /** An account went over its daily budget: each of its running sessions stops as the action says. */
  accountExceeded(account: string): void;
}

const DAY_MS = 24 * 3600 * 1000;

/** Seconds until the next UTC day, when a daily budget starts again. */
export function secondsUntilNextUtcDay(now: number): number {
  return Math.max(1, Math.ceil((Math.floor(now / DAY_MS + 1) * DAY_MS - now) / 1000));
}

/** Refuses new work for an account over its daily budget: `429 BUDGET_EXCEEDED` with Retry-After until the next UTC day. */
export function checkDailyBudget(context: Pick<BudgetsContext, 'ledger' | 'dailyBudgetOf'>, account: string, now = Date.now()): void {
  const limit = context.dailyBudgetOf(account);
  if (limit === null) return;
  const used = context.ledger.accountDay(account).costUsd ?? 0;
  if (used < limit) return;
  const retryAfterSeconds = secondsUntilNextUtcDay(now);
  throw new AegisError('BUDGET_EXCEEDED', `this key spent ${used.toFixed(4)} USD today, its daily budget is ${limit} USD; it takes new work again at the next UTC day`, {
    scope: 'key', limit, used, retryAfterSeconds,
  });
}

/**
 * One session's budgets, checked whenever its usage grows. `publish` announces a crossing; `stop`
 * carries out the action on this session.
 */
export class SessionBudget {
  private overOwn = false;

  constructor(
    private readonly context: BudgetsContext,
    private readonly session: {
      id: string;
      account: string;
      maxCostUsd: number | null;
      maxTokens: number | null;
      publish: (type: 'budget_warning' | 'budget_exceeded', fields: BudgetEvent) => void;
      stop: (action: BudgetAction) => void;
    },
  ) {}

  /** Checks the budgets against the session's usage now (its priced cost, its tokens of every kind). */
  check(costUsd: number, tokens: number): void {
    const { maxCostUsd, maxTokens } = this.session;
    const own: Array<['cost' | 'tokens', number, number | null]> = [['cost', costUsd, maxCostUsd], ['tokens', tokens, maxTokens]];
    for (const [kind, used, limit] of own) {
      if (limit === null) continue;
      const levels = levelsReached(used, limit);
      if (levels.includes('exceeded')) this.overOwn = true;
      for (const level of levels) {
        if (!this.context.ledger.noteCrossing(`session:${this.session.id}:${kind}`, '', level)) continue;
        this.announce(level, { scope: 'session', kind, limit, used });
        if (level === 'exceeded') this.carryOut();
      }
    }
    this.checkAccount();
  }

  /** Refuses a send when the session is over its own budget (unless the action only notifies) or its key over its daily one. */
  checkSend(): void {
    if (this.overOwn && this.context.action !== 'notify') {
      throw new AegisError('BUDGET_EXCEEDED', `session ${this.session.id} reached its budget (maxCostUsd ${this.session.maxCostUsd ?? 'unset'}, maxTokens ${this.session.maxTokens ?? 'unset'}); start another session`, {
        scope: 'session', maxCostUsd: this.session.maxCostUsd, maxTokens: this.session.maxTokens,
      });
    }
    checkDailyBudget(this.context, this.session.account);
  }

  private checkAccount(): void {
    const { account } = this.session;
    const limit = this.context.dailyBudgetOf(account);
    if (limit === null) return;
    const day = this.context.ledger.today();
    const used = this.context.ledger.accountDay(account, day).costUsd ?? 0;
    for (const level of levelsReached(used, limit)) {
      if (!this.context.ledger.noteCrossing(`key:${account}`, day, level)) continue;
      this.announce(level, { scope: 'key', kind: 'cost', limit, used, keyId: account });
      if (level === 'exceeded' && this.context.action !== 'notify') this.context.accountExceeded(account);
    }
  }

  private announce(level: 'warning' | 'exceeded', fields: Omit<BudgetEvent, 'action'>): void {
    this.session.publish(level === 'warning' ? 'budget_warning' : 'budget_exceeded', { ...fields, action: this.context.action });
  }

  private carryOut(): void {
    if (this.context.action !== 'notify') this.session.stop(this.context.action);
  }
}
