import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.js';
import { MemoryAuditRepository } from './memory-audit-repository.js';
import { purgeAudit } from './retention.js';
import { verifyChain } from './verify.js';

const DAY_MS = 24 * 3600 * 1000;

describe('audit retention', () => {
  const setUp = () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const repository = new MemoryAuditRepository();
    const log = new AuditLog(repository, { includeText: false, logger: { error: () => {} }, now: () => new Date(now) });
    const at = (time: number) => (now = time);
    return { repository, log, at, day: (n: number) => Date.parse('2026-01-01T00:00:00Z') + n * DAY_MS };
  };

  it('removes what is older than the retention, anchors the chain on the last removed entry, and records the purge', async () => {
    const { repository, log, at, day } = setUp();
    for (let d = 0; d < 10; d++) {
      at(day(d));
      log.record({ actor: 'system', action: `day.${d}`, outcome: 'ok' });
    }
    at(day(10));
    expect(purgeAudit(log, 3, new Date(day(10)))).toBe(7);
    expect(repository.anchor()).toEqual({ id: 7, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(repository.entries.map((e) => e.action)).toEqual(['day.7', 'day.8', 'day.9', 'audit.purge']);
    expect(repository.entries.at(-1)).toMatchObject({ id: 11, actor: 'system', details: { throughId: 7, purged: 7, retentionDays: 3 } });
    expect(await verifyChain(repository)).toEqual({ ok: true, checked: 4, firstBrokenId: null });
    expect(purgeAudit(log, 3, new Date(day(10)))).toBe(0);

    // A forged anchor does not fit the first entry kept.
    repository.anchorLink = { id: 7, hash: '0'.repeat(64) };
    expect(await verifyChain(repository)).toEqual({ ok: false, checked: 1, firstBrokenId: 8 });
  });

  it('chains on from the anchor when every entry was removed', async () => {
    const { repository, log, at, day } = setUp();
    log.record({ actor: 'system', action: 'old', outcome: 'ok' });
    log.record({ actor: 'system', action: 'old', outcome: 'ok' });
    at(day(30));
    expect(purgeAudit(log, 1, new Date(day(30)))).toBe(2);
    expect(repository.entries.map((e) => [e.id, e.action])).toEqual([[3, 'audit.purge']]);
    expect(await verifyChain(repository)).toEqual({ ok: true, checked: 1, firstBrokenId: null });
  });
});
