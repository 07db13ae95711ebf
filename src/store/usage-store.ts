/**
 * The usage ledger in SQLite (usage_messages, usage_totals, budget_crossings): it implements the
 * UsageRepository of src/sessions by shape. A response is kept once per session and message id, so
 * reading a transcript again (after a restart, across /clear) adds nothing; a response recorded again
 * with other figures adds only the difference, to the day it was first counted.
 */
import { write, type Db } from './database.js';

interface Entry {
  sessionId: string;
  messageId: string;
  account: string;
  model: string;
  day: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number | null;
}

interface TotalsRow {
  day: string;
  account: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  messages: number;
  unpricedMessages: number;
}

const TOTALS_COLUMNS =
  'day, account, model, input_tokens AS inputTokens, output_tokens AS outputTokens, cache_read_tokens AS cacheReadTokens, ' +
  'cache_write_tokens AS cacheWriteTokens, cost_usd AS costUsd, messages, unpriced_messages AS unpricedMessages';

export class UsageStore {
  private readonly findStmt;
  private readonly upsertMessageStmt;
  private readonly addTotalsStmt;
  private readonly allTotalsStmt;
  private readonly accountDayStmt;
  private readonly forgetStmt;
  private readonly crossingStmt;

  constructor(private readonly db: Db) {
    this.findStmt = db.prepare(
      'SELECT account, model, day, input_tokens AS inputTokens, output_tokens AS outputTokens, cache_read_tokens AS cacheReadTokens, ' +
        'cache_write_tokens AS cacheWriteTokens, cost_usd AS costUsd FROM usage_messages WHERE session_id = ? AND message_id = ?',
    );
    this.upsertMessageStmt = db.prepare(
      'INSERT INTO usage_messages (session_id, message_id, account, model, day, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd) ' +
        'VALUES (@sessionId, @messageId, @account, @model, @day, @inputTokens, @outputTokens, @cacheReadTokens, @cacheWriteTokens, @costUsd) ' +
        'ON CONFLICT (session_id, message_id) DO UPDATE SET account = excluded.account, model = excluded.model, input_tokens = excluded.input_tokens, ' +
        'output_tokens = excluded.output_tokens, cache_read_tokens = excluded.cache_read_tokens, cache_write_tokens = excluded.cache_write_tokens, cost_usd = excluded.cost_usd',
    );
    this.addTotalsStmt = db.prepare(
      'INSERT INTO usage_totals (day, account, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, messages, unpriced_messages) ' +
        'VALUES (@day, @account, @model, @inputTokens, @outputTokens, @cacheReadTokens, @cacheWriteTokens, @cost, @messages, @unpriced) ' +
        'ON CONFLICT (account, day, model) DO UPDATE SET input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, ' +
        'cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, ' +
        'cost_usd = cost_usd + excluded.cost_usd, messages = messages + excluded.messages, unpriced_messages = unpriced_messages + excluded.unpriced_messages',
    );
    this.allTotalsStmt = db.prepare(`SELECT ${TOTALS_COLUMNS} FROM usage_totals ORDER BY day, account, model`);
    this.accountDayStmt = db.prepare(`SELECT ${TOTALS_COLUMNS} FROM usage_totals WHERE account = ? AND day = ? ORDER BY model`);
    this.forgetStmt = db.prepare('DELETE FROM usage_messages WHERE session_id = ?');
    this.crossingStmt = db.prepare('INSERT INTO budget_crossings (subject, period, level, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  }

  record(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    write(this.db, () => {
      for (const entry of entries) {
        const before = this.findStmt.get(entry.sessionId, entry.messageId) as Omit<Entry, 'sessionId' | 'messageId'> | undefined;
        // Read again (after a restart, across /clear) with the same figures: counted already, priced already.
        if (before && sameFigures(before, entry)) continue;
        const now = before ? { ...entry, day: before.day } : entry;
        if (before) this.addTotals(before, -1);
        this.addTotals(now, 1);
        this.upsertMessageStmt.run(now);
      }
    });
  }

  totals(filter?: { account: string; day: string }): TotalsRow[] {
    return (filter ? this.accountDayStmt.all(filter.account, filter.day) : this.allTotalsStmt.all()) as TotalsRow[];
  }

  forgetSession(sessionId: string): void {
    write(this.db, () => this.forgetStmt.run(sessionId));
  }

  noteCrossing(subject: string, period: string, level: string, at: string): boolean {
    return write(this.db, () => this.crossingStmt.run(subject, period, level, at).changes > 0);
  }

  private addTotals(entry: Omit<Entry, 'sessionId' | 'messageId'>, sign: 1 | -1): void {
    this.addTotalsStmt.run({
      day: entry.day,
      account: entry.account,
      model: entry.model,
      inputTokens: sign * entry.inputTokens,
      outputTokens: sign * entry.outputTokens,
      cacheReadTokens: sign * entry.cacheReadTokens,
      cacheWriteTokens: sign * entry.cacheWriteTokens,
      cost: sign * (entry.costUsd ?? 0),
      messages: sign,
      unpriced: entry.costUsd === null ? sign : 0,
    });
  }
}

function sameFigures(a: Omit<Entry, 'sessionId' | 'messageId' | 'day' | 'costUsd'>, b: Omit<Entry, 'sessionId' | 'messageId' | 'day' | 'costUsd'>): boolean {
  return (
    a.account === b.account && a.model === b.model && a.inputTokens === b.inputTokens && a.outputTokens === b.outputTokens &&
    a.cacheReadTokens === b.cacheReadTokens && a.cacheWriteTokens === b.cacheWriteTokens
  );
}
