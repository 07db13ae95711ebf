/**
 * The counters the event bus moves, in one place: each event the core publishes is counted as it is
 * published, its labels taken from fixed lists (labels.ts). Also times what events alone tell: how
 * long a permission request waited for its decision, and how long after a hook call's arrival the
 * events it caused were published.
 */
import { performance } from 'node:perf_hooks';
import type { AegisEvent, EventBus } from '../events/event-bus.js';
import { EXIT_REASONS } from '../sessions/session-record.js';
import { BUDGET_ACTIONS, BUDGET_KINDS, BUDGET_SCOPES, DECIDERS, DECISIONS, oneOf, REAP_REASONS, REQUEST_KINDS, STALL_ACTIONS, TURN_FAILURE_ERRORS } from './labels.js';
import type { Series } from './series.js';

/** Requests still open are forgotten past this many (a decision never heard of must not grow memory). */
const MAX_OPEN_REQUESTS = 10_000;

interface OpenRequest {
  sessionId: string;
  openedAt: number;
}

export class EventCounters {
  private readonly openRequests = new Map<string, OpenRequest>();
  /** While a hook call is handled: the milliseconds since it arrived. */
  private hookElapsedMs: (() => number) | null = null;
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, private readonly series: Series) {
    this.unsubscribe = bus.subscribe((event) => this.count(event));
  }

  /**
   * Runs `handle` (a hook call being handled) so that each event it publishes meanwhile is timed from
   * the call's arrival. Events published later, once the call waits, are not: they no longer measure
   * how quickly a hook is heard.
   */
  duringHook<T>(elapsedMs: () => number, handle: () => T): T {
    const outer = this.hookElapsedMs;
    this.hookElapsedMs = elapsedMs;
    try {
      return handle();
    } finally {
      this.hookElapsedMs = outer;
    }
  }

  close(): void {
    this.unsubscribe();
    this.openRequests.clear();
  }

  private count(event: AegisEvent): void {
    const { series } = this;
    if (this.hookElapsedMs) series.hookToEvent.observe({ event: event.type }, this.hookElapsedMs() / 1000);
    switch (event.type) {
      case 'session_created':
        series.sessionsCreated.inc();
        break;
      case 'session_exited':
        series.sessionsEnded.inc({ reason: oneOf(EXIT_REASONS, event.reason) });
        this.forgetRequestsOf(event.sessionId);
        break;
      case 'turn_failed':
        series.turnFailures.inc({ error: oneOf(TURN_FAILURE_ERRORS, event.error) });
        break;
      case 'stalled':
        series.stalls.inc({ action: oneOf(STALL_ACTIONS, event.action) });
        break;
      case 'session_reaped':
        series.reaps.inc({ reason: oneOf(REAP_REASONS, event.reason) });
        break;
      case 'budget_exceeded':
        series.budgetsExceeded.inc({ scope: oneOf(BUDGET_SCOPES, event.scope), kind: oneOf(BUDGET_KINDS, event.kind), action: oneOf(BUDGET_ACTIONS, event.action) });
        break;
      case 'permission_request':
        this.opened(event.permissionId, event.sessionId);
        break;
      case 'question':
        this.opened(event.questionId, event.sessionId);
        break;
      case 'permission_resolved':
        this.resolved(event);
        break;
    }
  }

  private opened(id: unknown, sessionId: string): void {
    if (typeof id !== 'string') return;
    if (this.openRequests.size >= MAX_OPEN_REQUESTS) this.openRequests.delete(this.openRequests.keys().next().value!);
    this.openRequests.set(id, { sessionId, openedAt: performance.now() });
  }

  private resolved(event: AegisEvent): void {
    const id = event.permissionId;
    const open = typeof id === 'string' ? this.openRequests.get(id) : undefined;
    if (!open) return;
    this.openRequests.delete(id as string);
    const labels = { kind: oneOf(REQUEST_KINDS, event.kind), decision: oneOf(DECISIONS, event.decision), by: oneOf(DECIDERS, event.by) };
    this.series.permissionWait.observe(labels, (performance.now() - open.openedAt) / 1000);
  }

  private forgetRequestsOf(sessionId: string): void {
    for (const [id, open] of this.openRequests) if (open.sessionId === sessionId) this.openRequests.delete(id);
  }
}
