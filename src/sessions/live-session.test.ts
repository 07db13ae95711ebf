import { describe, expect, it } from 'vitest';
import { LiveSession } from './live-session.js';
import type { SessionRecord } from './session.js';

const record = {
  id: '2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11',
  status: 'starting',
  transcriptPath: '/nonexistent/aegis-test/transcript.jsonl',
} as SessionRecord;

describe('LiveSession', () => {
  it('releases every wait at once when it is disposed, so nothing (shutdown included) waits out a long deadline', async () => {
    const session = new LiveSession({ ...record });
    const started = Date.now();
    const waits = [session.waitUntil(() => false, 60_000), session.waitUntil(() => false, 120_000)];
    session.dispose();
    await expect(Promise.all(waits)).resolves.toEqual([false, false]);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(session.waitUntil(() => false, 60_000)).resolves.toBe(false);
  }, 2000);

  it('runs every batch of keys in order, one after the other, and counts as busy meanwhile', async () => {
    const session = new LiveSession({ ...record });
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = session.input(async () => {
      log.push('first:start');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      log.push('first:end');
    });
    const second = session.input(async () => {
      log.push('second');
    });
    await Promise.resolve();
    expect(session.busyWithInput).toBe(true);
    expect(log).toEqual(['first:start']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(['first:start', 'first:end', 'second']);
    expect(session.busyWithInput).toBe(false);
    expect(session.lastInputAt).toBeGreaterThan(0);
  });

  it('keeps the queue going after a batch fails', async () => {
    const session = new LiveSession({ ...record });
    await expect(session.input(() => Promise.reject(new Error('tmux said no')))).rejects.toThrow('tmux said no');
    await expect(session.input(async () => 'next')).resolves.toBe('next');
  });
});
