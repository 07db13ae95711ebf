import { describe, expect, it } from 'vitest';
import { policyFor, unseenTooLong, verdictFor, type ReapSubject } from './verdicts.js';

const policy = { idleTimeoutMs: 1000, stallThresholdMs: 5000, startTimeoutMs: 20_000 };
const subject = (fields: Partial<ReapSubject> & Pick<ReapSubject, 'status'>): ReapSubject => ({
  statusChangedAt: 0,
  lastProgressAt: 0,
  lastInputAt: 0,
  busyWithInput: false,
  ...fields,
});

describe('verdictFor', () => {
  it('reaps a session idle for its timeout, not before', () => {
    expect(verdictFor(10_000, subject({ status: 'idle', statusChangedAt: 9_500 }), policy)).toBeNull();
    expect(verdictFor(10_000, subject({ status: 'idle', statusChangedAt: 9_000 }), policy)).toEqual({ kind: 'reap', idleMs: 1000 });
  });

  it('never reaps when the idle timeout is 0', () => {
    expect(verdictFor(1e9, subject({ status: 'idle' }), { ...policy, idleTimeoutMs: 0 })).toBeNull();
  });

  it('does not reap a session mid-delivery: typing restarts the idle clock, and a session being typed into is not idle', () => {
    expect(verdictFor(10_000, subject({ status: 'idle', statusChangedAt: 0, lastInputAt: 9_500 }), policy)).toBeNull();
    expect(verdictFor(10_000, subject({ status: 'idle', statusChangedAt: 0, lastInputAt: 0, busyWithInput: true }), policy)).toBeNull();
    expect(verdictFor(10_000, subject({ status: 'idle', statusChangedAt: 0, lastInputAt: 8_000 }), policy)).toEqual({ kind: 'reap', idleMs: 2000 });
  });

  it.each(['permission_prompt', 'asking', 'exited', 'stalled'] as const)('leaves a %s session alone however long it waits', (status) => {
    expect(verdictFor(1e9, subject({ status }), policy)).toBeNull();
  });

  it('ends a session still starting after the start timeout, not before', () => {
    expect(verdictFor(19_999, subject({ status: 'starting' }), policy)).toBeNull();
    expect(verdictFor(20_000, subject({ status: 'starting' }), policy)).toEqual({ kind: 'start_timeout', waitedMs: 20_000 });
  });

  it('marks a working session stalled after its threshold without progress', () => {
    expect(verdictFor(10_000, subject({ status: 'working', lastProgressAt: 6_000 }), policy)).toBeNull();
    expect(verdictFor(10_000, subject({ status: 'working', lastProgressAt: 5_000 }), policy)).toEqual({ kind: 'stall', silentMs: 5000 });
  });
});

describe('policyFor', () => {
  it("prefers the session's own values, 0 included", () => {
    expect(policyFor({ idleTimeoutMs: 0, stallThresholdMs: null }, policy)).toEqual({ idleTimeoutMs: 0, stallThresholdMs: 5000, startTimeoutMs: 20_000 });
    expect(policyFor({}, policy)).toEqual(policy);
  });
});

describe('unseenTooLong', () => {
  it('holds a hook request the screen has not shown only up to its limit', () => {
    expect(unseenTooLong(10_000, null, 5000)).toBe(false);
    expect(unseenTooLong(10_000, 6000, 5000)).toBe(false);
    expect(unseenTooLong(10_000, 5000, 5000)).toBe(true);
  });
});
