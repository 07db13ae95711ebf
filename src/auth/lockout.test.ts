import { describe, expect, it } from 'vitest';
import { Lockout } from './lockout.js';

describe('Lockout', () => {
  const make = () => {
    const clock = { now: 0 };
    return { lockout: new Lockout({ maxFailures: 5, windowMs: 60_000, lockMs: 300_000, now: () => clock.now }), clock };
  };

  it('locks an address out at its fifth failure within a minute, for the lock time, and no other address', () => {
    const { lockout, clock } = make();
    for (let i = 0; i < 4; i++) expect(lockout.fail('10.0.0.1')).toBe(0);
    expect(lockout.lockedFor('10.0.0.1')).toBe(0);
    expect(lockout.fail('10.0.0.1')).toBe(300_000);
    expect(lockout.lockedFor('10.0.0.2')).toBe(0);
    clock.now += 299_999;
    expect(lockout.lockedFor('10.0.0.1')).toBe(1);
    clock.now += 1;
    expect(lockout.lockedFor('10.0.0.1')).toBe(0);
  });

  it('forgets failures older than a minute', () => {
    const { lockout, clock } = make();
    for (let i = 0; i < 4; i++) lockout.fail('10.0.0.1');
    clock.now += 60_000;
    expect(lockout.fail('10.0.0.1')).toBe(0);
  });

  it('prunes the buckets of addresses that stopped failing', () => {
    const { lockout, clock } = make();
    for (let i = 0; i < 100; i++) lockout.fail(`10.0.1.${i}`);
    expect(lockout.trackedAddresses).toBe(100);
    clock.now += 60_001;
    lockout.fail('10.0.2.1');
    expect(lockout.trackedAddresses).toBe(1);
  });
});
