import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { priceTable } from '../claude/pricing.js';
import { silentLogger } from '../log.js';
import { openDatabase } from '../store/database.js';
import { UsageStore } from '../store/usage-store.js';
import { UsageLedger } from './usage-ledger.js';
import { MemoryUsageRepository, type UsageRepository } from './usage-repository.js';

const dir = mkdtempSync(join(tmpdir(), 'aegis-ledger-'));
const opened: Array<{ close(): void }> = [];
afterAll(() => {
  for (const db of opened) db.close();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function sqlite(file = join(dir, `ledger-${++files}.db`)): UsageRepository {
  const db = openDatabase(file);
  opened.push(db);
  return new UsageStore(db);
}

const response = (messageId: string, inputTokens: number, outputTokens: number, model = 'claude-opus-5-5') =>
  ({ messageId, model, inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 });

describe.each([
  ['SQLite', () => sqlite()],
  ['memory', () => new MemoryUsageRepository()],
])('the usage ledger (%s)', (_name, repository) => {
  let day = '2026-12-06T10:00:00Z';
  const ledger = (repo = repository()) => new UsageLedger(repo, priceTable(), silentLogger, () => Date.parse(day));

  it('counts each response once per session, however often it is handed over, and prices it by the table', () => {
    const l = ledger();
    l.count('s1', 'key_a', [response('m1', 1_000_000, 0)]);
    l.count('s1', 'key_a', [response('m1', 1_000_000, 0), response('m2', 0, 1_000_000)]);
    expect(l.total()).toEqual({ inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 24, messages: 2, unpricedMessages: 0 });
  });

  it('adds only the difference when a response is handed over again with other figures', () => {
    const l = ledger();
    l.count('s1', 'key_a', [response('m1', 100, 1)]);
    l.count('s1', 'key_a', [response('m1', 100, 7)]);
    expect(l.total()).toMatchObject({ inputTokens: 100, outputTokens: 7, messages: 1 });
  });

  it('counts the same message id in two sessions twice: a session cannot hide another\'s usage', () => {
    const l = ledger();
    l.count('s1', 'key_a', [response('m1', 10, 0)]);
    l.count('s2', 'key_b', [response('m1', 10, 0)]);
    expect(l.total().inputTokens).toBe(20);
    expect(l.byAccount().map((a) => [a.account, a.inputTokens])).toEqual([['key_a', 10], ['key_b', 10]]);
  });

  it('gives an unpriced model its tokens and a null cost, and sums the priced ones', () => {
    const l = ledger();
    l.count('s1', 'local', [response('m1', 1_000_000, 0, 'my-local-model'), response('m2', 1_000_000, 0)]);
    expect(l.byModel()).toEqual([
      expect.objectContaining({ model: 'claude-opus-5-5', inputTokens: 1_000_000, costUsd: 4 }),
      expect.objectContaining({ model: 'my-local-model', inputTokens: 1_000_000, costUsd: null, unpricedMessages: 1 }),
    ]);
    expect(l.total()).toMatchObject({ costUsd: 4, unpricedMessages: 1, messages: 2 });
    const unpricedOnly = ledger();
    unpricedOnly.count('s1', 'local', [response('m1', 5, 0, 'my-local-model')]);
    expect(unpricedOnly.total().costUsd).toBeNull();
  });

  it("keeps an account's days apart; a response counted again stays on its first day", () => {
    const l = ledger();
    day = '2026-12-06T23:59:00Z';
    l.count('s1', 'key_a', [response('m1', 1_000_000, 0)]);
    day = '2026-12-07T00:01:00Z';
    l.count('s1', 'key_a', [response('m1', 1_000_000, 0), response('m2', 500_000, 0)]);
    expect(l.accountDay('key_a', '2026-12-06')).toMatchObject({ inputTokens: 1_000_000, costUsd: 4 });
    expect(l.accountDay('key_a')).toMatchObject({ inputTokens: 500_000, costUsd: 2 });
    expect(l.accountDay('key_b')).toMatchObject({ inputTokens: 0, costUsd: 0, messages: 0 });
  });

  it('keeps the price a response was first counted with when it is read again under other prices', () => {
    const repo = repository();
    new UsageLedger(repo, priceTable(), silentLogger).count('s1', 'key_a', [response('m1', 1_000_000, 0)]);
    const repriced = new UsageLedger(repo, priceTable({ 'claude-opus-5-5': { input: 100, output: 100, cacheWrite: 0, cacheRead: 0 } }), silentLogger);
    repriced.count('s1', 'key_a', [response('m1', 1_000_000, 0)]);
    expect(repriced.total()).toMatchObject({ inputTokens: 1_000_000, costUsd: 4 });
  });

  it('keeps totals when a session is forgotten', () => {
    const l = ledger();
    l.count('s1', 'key_a', [response('m1', 10, 0)]);
    l.forgetSession('s1');
    expect(l.total().inputTokens).toBe(10);
  });

  it('notes a budget crossing once', () => {
    const l = ledger();
    expect(l.noteCrossing('session:s1:cost', '', 'warning')).toBe(true);
    expect(l.noteCrossing('session:s1:cost', '', 'warning')).toBe(false);
    expect(l.noteCrossing('session:s1:cost', '', 'exceeded')).toBe(true);
    expect(l.noteCrossing('key:key_a', '2026-12-07', 'warning')).toBe(true);
    expect(l.noteCrossing('key:key_a', '2026-12-08', 'warning')).toBe(true);
  });
});

describe('the SQLite usage ledger across a restart', () => {
  it('keeps totals, which responses it counted, and the crossings it noted', () => {
    const file = join(dir, 'restart.db');
    const first = new UsageLedger(sqlite(file), priceTable(), silentLogger);
    first.count('s1', 'key_a', [response('m1', 100, 10)]);
    first.noteCrossing('session:s1:cost', '', 'warning');
    const second = new UsageLedger(sqlite(file), priceTable(), silentLogger);
    second.count('s1', 'key_a', [response('m1', 100, 10), response('m2', 1, 1)]);
    expect(second.total()).toMatchObject({ inputTokens: 101, outputTokens: 11, messages: 2 });
    expect(second.noteCrossing('session:s1:cost', '', 'warning')).toBe(false);
  });

  it('holds the largest figures a response may claim, a thousand times over, without overflow', () => {
    const l = new UsageLedger(sqlite(), priceTable(), silentLogger);
    l.count('s1', 'key_a', Array.from({ length: 1000 }, (_, i) => response(`m${i}`, 100_000_000, 100_000_000)));
    expect(l.total()).toMatchObject({ inputTokens: 100_000_000_000, outputTokens: 100_000_000_000, costUsd: 2_400_000 });
  });
});
