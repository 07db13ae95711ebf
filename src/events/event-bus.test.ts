import { describe, expect, it, vi } from 'vitest';
import { EventBus, type AegisEvent } from './event-bus.js';

describe('EventBus', () => {
  it('gives events increasing ids and delivers them in order', () => {
    const bus = new EventBus(10, 1);
    const seen: number[] = [];
    bus.subscribe((e) => seen.push(e.id));
    bus.publish('session_created', 's1');
    bus.publish('status_changed', 's1', { from: 'starting', to: 'idle' });
    expect(seen).toEqual([1, 2]);
  });

  it('replays the events after a given id while they are in the ring', () => {
    const bus = new EventBus(3, 1);
    for (let i = 0; i < 5; i++) bus.publish('message', 's1', { n: i });
    expect(bus.since(3)).toEqual({ events: [expect.objectContaining({ id: 4, n: 3 }), expect.objectContaining({ id: 5, n: 4 })], complete: true });
    const stale = bus.since(1);
    expect(stale.complete).toBe(false);
    expect(stale.events.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(bus.since(5).events).toEqual([]);
  });

  it('says a replay from an id an earlier daemon gave is not complete: what it published after that id is gone with it', () => {
    const restarted = new EventBus(10, 1000);
    expect(restarted.since(500)).toEqual({ events: [], complete: false });
    restarted.publish('session_exited', 's1');
    expect(restarted.since(500)).toEqual({ events: [expect.objectContaining({ id: 1000 })], complete: false });
    expect(restarted.since(999).complete).toBe(true);
    expect(restarted.since(1000)).toEqual({ events: [], complete: true });
  });

  it('replays the right events however many times the ring wrapped, without moving the events it keeps', () => {
    const bus = new EventBus(4, 1);
    // A full ring that shifted its contents would cost every publish a copy of the whole ring.
    const splice = vi.spyOn(Array.prototype, 'splice');
    const copyWithin = vi.spyOn(Array.prototype, 'copyWithin');
    const shift = vi.spyOn(Array.prototype, 'shift');
    try {
      for (let i = 1; i <= 11; i++) bus.publish('message', 's1', { n: i });
      expect(splice).not.toHaveBeenCalled();
      expect(copyWithin).not.toHaveBeenCalled();
      expect(shift).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
    expect(bus.since(0)).toEqual({ events: [8, 9, 10, 11].map((id) => expect.objectContaining({ id })), complete: false });
    expect(bus.since(7).complete).toBe(true);
    expect(bus.since(9).events.map((e) => e.id)).toEqual([10, 11]);
    expect(bus.since(11).events).toEqual([]);
  });

  it('keeps no more weight than it is given, dropping the oldest, and always the newest event', () => {
    const weigh = (event: AegisEvent) => (typeof event.size === 'number' ? event.size : 1);
    const bus = new EventBus(100, 1, { weigh, max: 10 });
    for (const size of [4, 4, 1, 1]) bus.publish('message', 's1', { size });
    expect(bus.since(0).events.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    bus.publish('message', 's1', { size: 5 });
    expect(bus.since(0)).toEqual({ events: [3, 4, 5].map((id) => expect.objectContaining({ id })), complete: false });
    bus.publish('message', 's1', { size: 50 });
    expect(bus.since(0).events.map((e) => e.id)).toEqual([6]);
    for (let i = 0; i < 20; i++) bus.publish('status_changed', 's1');
    expect(bus.since(0).events.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => 17 + i));
  });

  it('keeps delivering when one subscriber throws, and stops after unsubscribe', () => {
    const bus = new EventBus(10, 1);
    const seen: string[] = [];
    bus.subscribe(() => { throw new Error('boom'); });
    const off = bus.subscribe((e) => seen.push(e.type));
    bus.publish('stalled', 's1');
    off();
    bus.publish('stalled', 's1');
    expect(seen).toEqual(['stalled']);
    expect(bus.subscriberCount).toBe(1);
  });

  it('starts ids from the clock in microseconds, so a restarted daemon continues above the last one', () => {
    const before = Date.now() * 1000;
    const bus = new EventBus(10);
    expect(bus.publish('stalled', 's').id).toBeGreaterThanOrEqual(before);
  });

  it('does not let event fields overwrite id, type or sessionId', () => {
    const bus = new EventBus(10, 100);
    const event = bus.publish('message', 's1', { id: 'x', type: 'y', sessionId: 'z' });
    expect(event).toMatchObject({ id: 100, type: 'message', sessionId: 's1' });
  });
});
