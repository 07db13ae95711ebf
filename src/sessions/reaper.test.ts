import { describe, expect, it } from 'vitest';
import { policyFor, verdictFor } from './reaper.js';

const policy = { idleTimeoutMs: 1000, stallThresholdMs: 5000 };

describe('verdictFor', () => {
  it('reaps a session idle for its timeout, not before', () => {
    expect(verdictFor(10_000, { status: 'idle', statusChangedAt: 9_500, lastProgressAt: 0 }, policy)).toBeNull();
    expect(verdictFor(10_000, { status: 'idle', statusChangedAt: 9_000, lastProgressAt: 0 }, policy)).toEqual({ kind: 'reap', idleMs: 1000 });
  });

  it('never reaps when the idle timeout is 0', () => {
    expect(verdictFor(1e9, { status: 'idle', statusChangedAt: 0, lastProgressAt: 0 }, { ...policy, idleTimeoutMs: 0 })).toBeNull();
  });

  it.each(['permission_prompt', 'asking', 'starting', 'exited', 'stalled'] as const)('leaves a %s session alone however long it waits', (status) => {
    expect(verdictFor(1e9, { status, statusChangedAt: 0, lastProgressAt: 0 }, policy)).toBeNull();
  });

  it('marks a working session stalled after its threshold without progress', () => {
    expect(verdictFor(10_000, { status: 'working', statusChangedAt: 0, lastProgressAt: 6_000 }, policy)).toBeNull();
    expect(verdictFor(10_000, { status: 'working', statusChangedAt: 0, lastProgressAt: 5_000 }, policy)).toEqual({ kind: 'stall', silentMs: 5000 });
  });
});

describe('policyFor', () => {
  it("prefers the session's own values, 0 included", () => {
    expect(policyFor({ idleTimeoutMs: 0, stallThresholdMs: null }, policy)).toEqual({ idleTimeoutMs: 0, stallThresholdMs: 5000 });
    expect(policyFor({}, policy)).toEqual(policy);
  });
});
