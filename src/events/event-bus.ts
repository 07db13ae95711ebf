/**
 * The daemon's event bus: every state change the core reports becomes one event with an increasing
 * id, kept in a bounded replay ring so SSE clients that reconnect with Last-Event-ID miss nothing
 * that is still in it. Subscribers are called synchronously, in publish order.
 */
export const EVENT_TYPES = [
  'session_created',
  'status_changed',
  'message',
  'permission_request',
  'permission_resolved',
  'question',
  'stalled',
  'session_exited',
  'session_reaped',
  'session_removed',
  'turn_failed',
  'budget_warning',
  'budget_exceeded',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface AegisEvent {
  id: number;
  type: EventType;
  sessionId: string;
  at: string;
  [field: string]: unknown;
}

export type EventListener = (event: AegisEvent) => void;

/** A bound on what the replay ring holds besides its count: each event's weight (roughly its characters), and the most they may weigh together. */
export interface ReplayWeight {
  weigh: (event: AegisEvent) => number;
  max: number;
}

export class EventBus {
  /** The replay ring: `size` events, the oldest at `head`; a publish drops the oldest while the ring is full. */
  private readonly ring: AegisEvent[];
  private readonly weights: number[];
  private head = 0;
  private size = 0;
  private weight = 0;
  private readonly listeners = new Set<EventListener>();
  private reportListenerError: (err: unknown, event: AegisEvent) => void = () => {};
  private nextId: number;
  /** The id of this bus's first event: a smaller one was given by an earlier daemon. */
  private readonly firstId: number;

  /**
   * Ids start from the clock in microseconds so that they keep increasing across daemon restarts (a
   * client that reconnects to a restarted daemon never sees them go backwards) unless a daemon ever
   * published more than a thousand events a millisecond on average.
   */
  constructor(
    private readonly capacity: number,
    firstId = Date.now() * 1000,
    /** Unset: the ring is bounded by its count alone. */
    private readonly replayWeight: ReplayWeight | null = null,
  ) {
    this.nextId = this.firstId = firstId;
    this.ring = new Array<AegisEvent>(Math.max(0, capacity));
    this.weights = replayWeight ? new Array<number>(Math.max(0, capacity)).fill(0) : [];
  }

  publish(type: EventType, sessionId: string, fields: Record<string, unknown> = {}): AegisEvent {
    const event: AegisEvent = { ...fields, id: this.nextId++, type, sessionId, at: new Date().toISOString() };
    this.keep(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // One failing subscriber must not keep the event from the others, nor fail unheard of.
        this.reportListenerError(err, event);
      }
    }
    return event;
  }

  /** Where a listener's failure is reported (the daemon logs it with the event's session). */
  onListenerError(report: (err: unknown, event: AegisEvent) => void): void {
    this.reportListenerError = report;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events after `lastId` still in the ring; `complete` is false when some were already dropped, and
   * for an id an earlier daemon gave: what that daemon published after it is gone with it.
   */
  since(lastId: number): { events: AegisEvent[]; complete: boolean } {
    const first = this.size > 0 ? this.at(0) : undefined;
    const complete = lastId >= this.firstId - 1 && (!first || first.id <= lastId + 1);
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).id <= lastId) lo = mid + 1;
      else hi = mid;
    }
    const events: AegisEvent[] = [];
    for (let i = lo; i < this.size; i++) events.push(this.at(i));
    return { events, complete };
  }

  /**
   * Keeps `event` for replay, dropping the oldest while the ring is full (by count, or by weight when
   * weighed); amortised constant time.
   */
  private keep(event: AegisEvent): void {
    if (this.capacity <= 0) return;
    const weight = this.replayWeight ? this.replayWeight.weigh(event) : 0;
    while (this.size > 0 && (this.size >= this.capacity || (this.replayWeight && this.weight + weight > this.replayWeight.max))) this.dropOldest();
    const at = (this.head + this.size) % this.capacity;
    this.ring[at] = event;
    if (this.replayWeight) this.weights[at] = weight;
    this.weight += weight;
    this.size++;
  }

  private dropOldest(): void {
    if (this.replayWeight) this.weight -= this.weights[this.head]!;
    this.ring[this.head] = undefined as unknown as AegisEvent;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
  }

  /** The `i`th oldest event kept. */
  private at(i: number): AegisEvent {
    return this.ring[(this.head + i) % this.capacity]!;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
