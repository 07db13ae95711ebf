import { describe, expect, it } from 'vitest';
import { EventBus, type AegisEvent } from './event-bus.js';

describe('EventBus listeners', () => {
  it('reports a failing listener with its event, and still calls the others', () => {
    const bus = new EventBus(10);
    const failures: Array<{ message: string; event: AegisEvent }> = [];
    bus.onListenerError((err, event) => failures.push({ message: (err as Error).message, event }));
    const heard: number[] = [];
    bus.subscribe(() => {
      throw new Error('listener broke');
    });
    bus.subscribe((event) => heard.push(event.id));

    const event = bus.publish('stalled', 'session-1');

    expect(heard).toEqual([event.id]);
    expect(failures).toEqual([{ message: 'listener broke', event }]);
  });
});
