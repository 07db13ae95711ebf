import { describe, expect, it } from 'vitest';
import type { AegisEvent, Session } from '../client/types.js';
import { ApiError } from '../client/errors.js';
import { untilTracker } from './watch-until.js';

const event = (type: string, fields: Record<string, unknown> = {}) => ({ id: '1', type, sessionId: 's', at: '2026-01-01T00:00:00Z', ...fields }) as unknown as AegisEvent;
const session = (status: string, exit?: { reason: string }) => ({ id: 's', status, exit }) as unknown as Session;

describe('watch --until', () => {
  it('reaches idle on the status change, and not on a turn that failed first', () => {
    let done = 0;
    const ok = untilTracker('idle', () => done++);
    expect(ok.sawEvent(event('status_changed', { from: 'idle', to: 'working' }))).toBe(false);
    expect(ok.sawEvent(event('status_changed', { from: 'working', to: 'idle' }))).toBe(true);
    expect(ok.outcome()).toMatchObject({ reached: true });

    const failed = untilTracker('idle', () => done++);
    failed.sawEvent(event('turn_failed', { error: 'rate_limit' }));
    failed.sawEvent(event('status_changed', { from: 'working', to: 'idle' }));
    expect(failed.outcome()).toEqual({ reached: false, note: 'the turn failed: rate_limit' });
    expect(done).toBe(2);
  });

  it('fails a wait for idle when the session exits, and reaches exited with its reason', () => {
    const idle = untilTracker('idle', () => undefined);
    expect(idle.sawEvent(event('session_exited', { reason: 'claude_exited' }))).toBe(true);
    expect(idle.outcome()).toEqual({ reached: false, note: 'session exited (claude_exited)' });

    const exited = untilTracker('exited', () => undefined);
    expect(exited.sawEvent(event('status_changed', { from: 'idle', to: 'exited' }))).toBe(false);
    exited.sawSession(session('exited', { reason: 'deleted' }));
    expect(exited.outcome()).toEqual({ reached: true, note: 'session exited (deleted)' });
  });

  it('settles once: the first outcome stands', () => {
    let done = 0;
    const tracker = untilTracker('idle', () => done++);
    tracker.sawSession(session('idle'));
    tracker.sawEvent(event('session_exited', { reason: 'deleted' }));
    expect(tracker.outcome()).toMatchObject({ reached: true });
    expect(done).toBe(1);
  });

  it('leaves a session removed while its status was asked to the stream, which says why it ended', () => {
    let done = 0;
    const tracker = untilTracker('idle', () => done++);
    tracker.failed(new ApiError(404, 'NOT_FOUND', 'no session s'));
    expect(done).toBe(0);
    tracker.sawEvent(event('session_exited', { reason: 'deleted' }));
    expect(tracker.outcome()).toEqual({ reached: false, note: 'session exited (deleted)' });

    const broken = untilTracker('idle', () => done++);
    const error = new ApiError(500, 'INTERNAL', 'boom');
    broken.failed(error);
    expect(broken.outcome()).toEqual({ reached: false, error });
    expect(done).toBe(2);
  });
});
