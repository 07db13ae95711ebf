/**
 * Every series the daemon exports, in one registry of its own (never prom-client's global one, so
 * several daemons, or tests, in one process keep theirs apart). Counters here are moved by events
 * (event-counters.ts) and by the HTTP layer; the gauges that describe the present are filled when
 * scraped (daemon-metrics.ts). docs/api.md lists each series with its labels.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Seconds from a permission request (or question) to its decision: a person may take minutes. */
const WAIT_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];
/** Seconds from a hook call's arrival to its event: a loaded daemon shows here first. */
const HOOK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type Series = ReturnType<typeof defineSeries>;

export function defineSeries(registry: Registry) {
  const registers = [registry];
  return {
    sessions: new Gauge({ name: 'aegis_sessions', help: 'Sessions the daemon holds, by status', labelNames: ['status'] as const, registers }),
    sessionsCreated: new Counter({ name: 'aegis_sessions_created_total', help: 'Sessions started since the daemon started', registers }),
    sessionsEnded: new Counter({ name: 'aegis_sessions_ended_total', help: 'Sessions that ended since the daemon started, by reason', labelNames: ['reason'] as const, registers }),
    tokens: new Counter({ name: 'aegis_tokens_total', help: 'Tokens used since the usage ledger began, by model and kind', labelNames: ['model', 'kind'] as const, registers }),
    cost: new Counter({
      name: 'aegis_cost_usd_total',
      help: 'Cost in USD since the usage ledger began, by model (a model with no price has no series)',
      labelNames: ['model'] as const,
      registers,
    }),
    budgetsExceeded: new Counter({
      name: 'aegis_budgets_exceeded_total',
      help: 'Budgets crossed (budget_exceeded), by whose budget, what it limits and the action taken',
      labelNames: ['scope', 'kind', 'action'] as const,
      registers,
    }),
    turnFailures: new Counter({ name: 'aegis_turn_failures_total', help: 'Turns that ended in an API error Claude gave up on (turn_failed), by error type', labelNames: ['error'] as const, registers }),
    permissionWait: new Histogram({
      name: 'aegis_permission_wait_seconds',
      help: 'Time from a permission request or question to its decision',
      labelNames: ['kind', 'decision', 'by'] as const,
      buckets: WAIT_BUCKETS,
      registers,
    }),
    stalls: new Counter({ name: 'aegis_stalls_total', help: 'Sessions seen stalled, by the action taken', labelNames: ['action'] as const, registers }),
    reaps: new Counter({ name: 'aegis_reaps_total', help: 'Sessions the upkeep ended, by reason', labelNames: ['reason'] as const, registers }),
    hookToEvent: new Histogram({
      name: 'aegis_hook_to_event_seconds',
      help: "Time from a hook call's arrival to each event it publishes, by event type",
      labelNames: ['event'] as const,
      buckets: HOOK_BUCKETS,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'aegis_http_request_duration_seconds',
      help: 'API requests by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    sseClients: new Gauge({ name: 'aegis_sse_clients', help: 'Open event streams', registers }),
    eventLoopLag: new Gauge({ name: 'aegis_event_loop_lag_seconds', help: 'Event-loop delay since the previous scrape (mean, p50, p99, max)', labelNames: ['stat'] as const, registers }),
  };
}
