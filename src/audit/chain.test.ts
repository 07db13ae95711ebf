import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.js';
import { canonicalJson } from '../canonical-json.js';
import { entryHash, GENESIS_HASH } from './chain.js';
import { MemoryAuditRepository } from './memory-audit-repository.js';
import { verifyChain } from './verify.js';

const silent = { error: () => {} };

describe('canonical JSON', () => {
  it('sorts keys at every depth, writes no whitespace, keeps null and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined, n: null })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1,"n":null}');
  });

  it('sorts by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ '\u00e9': 1, z: 2, '\ud83d\ude00': 3, Z: 4 })).toBe('{"Z":4,"z":2,"\u00e9":1,"\ud83d\ude00":3}');
  });

  it('refuses what JSON cannot hold exactly', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });

  it('hashes the previous hash, a newline and the canonical content', () => {
    const content = { id: 1, at: '2026-01-01T00:00:00.000Z', actor: 'system', actorName: null, action: 'config.load', resource: null, ip: null, outcome: 'ok' as const, details: { b: 2, a: 1 } };
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n{"action":"config.load","actor":"system","actorName":null,"at":"2026-01-01T00:00:00.000Z","details":{"a":1,"b":2},"id":1,"ip":null,"outcome":"ok","resource":null}`)
      .digest('hex');
    expect(entryHash(GENESIS_HASH, content)).toBe(expected);
  });
});

describe('the audit chain', () => {
  const logOf = (count: number) => {
    const repository = new MemoryAuditRepository();
    const log = new AuditLog(repository, { includeText: false, logger: silent });
    for (let i = 0; i < count; i++) log.record({ actor: 'system', action: `action.${i}`, outcome: 'ok', details: { i } });
    return repository;
  };

  it('numbers entries from 1 and chains each to the one before', async () => {
    const repository = logOf(2500);
    expect(repository.entries.map((e) => e.id).slice(0, 3)).toEqual([1, 2, 3]);
    expect(await verifyChain(repository)).toEqual({ ok: true, checked: 2500, firstBrokenId: null });
  });

  it('names the first broken entry when one is edited, deleted, or two are swapped', async () => {
    const edited = logOf(5);
    edited.entries[2]!.details = { i: 99 };
    expect(await verifyChain(edited)).toEqual({ ok: false, checked: 3, firstBrokenId: 3 });

    const deleted = logOf(5);
    deleted.entries.splice(1, 1);
    expect(await verifyChain(deleted)).toEqual({ ok: false, checked: 2, firstBrokenId: 3 });

    const swapped = logOf(5);
    const [second, third] = [swapped.entries[1]!, swapped.entries[2]!];
    swapped.entries[1] = { ...third, id: 2 };
    swapped.entries[2] = { ...second, id: 3 };
    expect(await verifyChain(swapped)).toEqual({ ok: false, checked: 2, firstBrokenId: 2 });

    const rehashedAlone = logOf(5);
    const target = rehashedAlone.entries[1]!;
    target.action = 'forged';
    target.hash = entryHash(rehashedAlone.entries[0]!.hash, target);
    // Its own hash now fits, but the next entry was chained to the old one.
    expect(await verifyChain(rehashedAlone)).toEqual({ ok: false, checked: 3, firstBrokenId: 3 });
  });

  it('records text as its length and SHA-256 unless includeText is on', () => {
    const repository = new MemoryAuditRepository();
    const hidden = new AuditLog(repository, { includeText: false, logger: silent });
    const shown = new AuditLog(repository, { includeText: true, logger: silent });
    const sha256 = createHash('sha256').update('héllo', 'utf8').digest('hex');
    expect(hidden.text('héllo')).toEqual({ length: 5, sha256 });
    expect(shown.text('héllo')).toEqual({ length: 5, sha256, text: 'héllo' });
  });

  it('reports a write that fails instead of throwing it at the caller', () => {
    const errors: unknown[] = [];
    const broken = new MemoryAuditRepository();
    broken.append = () => {
      throw new Error('disk full');
    };
    const log = new AuditLog(broken, { includeText: false, logger: { error: (fields: unknown) => errors.push(fields) } });
    expect(log.record({ actor: 'system', action: 'x', outcome: 'ok' })).toBeNull();
    expect(log.failedWrites).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ action: 'x', err: 'disk full' })]);
  });
});
