/**
 * The daemon's metrics: the series of series.ts in a registry of its own, moved by the event bus
 * (event-counters.ts) and by the HTTP layer (request durations), and completed when read with what
 * describes the present (sessions by status, usage totals, event streams, event-loop delay). Read as
 * Prometheus text or as the JSON totals of `GET /v1/metrics`. The composition root builds one per
 * daemon and closes it with the daemon.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Registry, type Counter, type Gauge, type Histogram } from 'prom-client';
import type { EventBus } from '../events/event-bus.js';
import { SESSION_STATUSES, type SessionStatus } from '../sessions/session-record.js';
import type { UsageSum, UsageTotals } from '../sessions/usage-ledger.js';
import { EventCounters } from './event-counters.js';
import { HTTP_METHODS, ModelLabels, oneOf, UNMATCHED_ROUTE } from './labels.js';
import { defineSeries, type Series } from './series.js';

export interface MetricsSources {
  bus: EventBus;
  /** The status of each session the daemon holds now. */
  sessionStatuses: () => Iterable<SessionStatus>;
  /** The usage ledger's totals (they outlive restarts and deleted sessions). */
  usage: Pick<UsageTotals, 'total' | 'byModel' | 'byAccount'>;
  /** Event streams open now. */
  sseClients: () => number;
}

/** A request as the HTTP layer saw it end: its route template (undefined when none matched). */
export interface RequestTiming {
  method: string;
  route: string | undefined;
  status: number;
  seconds: number;
}

/** `GET /v1/metrics` as JSON (docs/api.md). */
export interface MetricsTotals {
  sessions: { byStatus: Record<string, number>; created: number; ended: Record<string, number> };
  usage: { total: UsageSum; byModel: Record<string, UsageSum>; byAccount: Record<string, UsageSum> };
  budgetsExceeded: Array<{ scope: string; kind: string; action: string; count: number }>;
  turnFailures: Record<string, number>;
  stalls: Record<string, number>;
  reaps: Record<string, number>;
  permissionWaits: { count: number; sumSeconds: number };
  hookToEvent: { count: number; sumSeconds: number };
  httpRequests: number;
  sseClients: number;
  eventLoopLagSeconds: Record<string, number>;
}

/**
 * How often the event loop's delay is sampled. Each sample is a timer that wakes the daemon: at 10 ms
 * that alone cost an idle daemon some 580 ms of CPU a minute. Twice a second still catches a blocked
 * loop, and costs next to nothing.
 */
const LOOP_DELAY_RESOLUTION_MS = 500;

export class DaemonMetrics {
  private readonly registry = new Registry();
  private readonly series: Series = defineSeries(this.registry);
  /**
   * The request histogram's series by method, status and route: bounded, as the routes are templates
   * and methods and statuses few. Each request observes its series without building its labels again.
   */
  private readonly requestSeries = new Map<string, { observe(seconds: number): void }>();
  private readonly counters: EventCounters;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private readonly models = new ModelLabels();

  constructor(private readonly sources: MetricsSources) {
    this.counters = new EventCounters(sources.bus, this.series);
    this.loopDelay.enable();
  }

  /** The content type of Prometheus text, with its version. */
  get prometheusContentType(): string {
    return this.registry.contentType;
  }

  async prometheus(): Promise<string> {
    this.collect();
    this.setUsageSeries(this.usageByModelLabel());
    return this.registry.metrics();
  }

  async totals(): Promise<MetricsTotals> {
    this.collect();
    const { series, sources } = this;
    const permissionWaits = await histogramTotals(series.permissionWait);
    const hookToEvent = await histogramTotals(series.hookToEvent);
    return {
      sessions: { byStatus: await byLabel(series.sessions, 'status'), created: await total(series.sessionsCreated), ended: await byLabel(series.sessionsEnded, 'reason') },
      usage: {
        total: sources.usage.total(),
        byModel: Object.fromEntries(this.usageByModelLabel()),
        byAccount: Object.fromEntries(sources.usage.byAccount().map(({ account, ...usage }) => [account, usage])),
      },
      budgetsExceeded: (await series.budgetsExceeded.get()).values.map((v) => ({ scope: String(v.labels.scope), kind: String(v.labels.kind), action: String(v.labels.action), count: v.value })),
      turnFailures: await byLabel(series.turnFailures, 'error'),
      stalls: await byLabel(series.stalls, 'action'),
      reaps: await byLabel(series.reaps, 'reason'),
      permissionWaits,
      hookToEvent,
      httpRequests: (await histogramTotals(series.httpDuration)).count,
      sseClients: await total(series.sseClients),
      eventLoopLagSeconds: await byLabel(series.eventLoopLag, 'stat'),
    };
  }

  /** Counts a finished API request under its route template, never its raw URL. */
  observeRequest({ method, route, status, seconds }: RequestTiming): void {
    const labels = { method: oneOf(HTTP_METHODS, method), route: route ?? UNMATCHED_ROUTE, status: String(status) };
    const key = `${labels.method} ${labels.status} ${labels.route}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = this.series.httpDuration.labels(labels);
      this.requestSeries.set(key, series);
    }
    series.observe(seconds);
  }

  /** Runs the handling of a hook call, timing the events it publishes from the call's arrival. */
  duringHook<T>(elapsedMs: () => number, handle: () => T): T {
    return this.counters.duringHook(elapsedMs, handle);
  }

  close(): void {
    this.counters.close();
    this.loopDelay.disable();
  }

  /** Sets the gauges of the present. */
  private collect(): void {
    const { series, sources } = this;
    const byStatus = new Map<string, number>(SESSION_STATUSES.map((s) => [s, 0]));
    for (const status of sources.sessionStatuses()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    for (const [status, count] of byStatus) series.sessions.set({ status }, count);
    series.sseClients.set(sources.sseClients());
    const delay = this.loopDelay;
    // The histogram holds nanoseconds from one sample to the next, the sampling interval included; an
    // empty one (no sample yet) reports NaN for its mean.
    const seconds = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS) / 1e3 : 0);
    series.eventLoopLag.set({ stat: 'mean' }, seconds(delay.mean));
    series.eventLoopLag.set({ stat: 'p50' }, seconds(delay.percentile(50)));
    series.eventLoopLag.set({ stat: 'p99' }, seconds(delay.percentile(99)));
    series.eventLoopLag.set({ stat: 'max' }, seconds(delay.max));
    delay.reset();
  }

  /** The ledger's totals by model label (models that share the label `other` added up). */
  private usageByModelLabel(): Map<string, UsageSum> {
    const usage = new Map<string, UsageSum>();
    for (const { model, ...row } of this.sources.usage.byModel()) {
      const label = this.models.of(model);
      const before = usage.get(label);
      usage.set(label, before ? added(before, row) : row);
    }
    return usage;
  }

  /** Usage totals are kept elsewhere (the usage ledger): the counters take their values as read. */
  private setUsageSeries(usage: Map<string, UsageSum>): void {
    const { tokens, cost } = this.series;
    tokens.reset();
    cost.reset();
    for (const [model, totals] of usage) {
      tokens.inc({ model, kind: 'input' }, totals.inputTokens);
      tokens.inc({ model, kind: 'output' }, totals.outputTokens);
      tokens.inc({ model, kind: 'cache_read' }, totals.cacheReadTokens);
      tokens.inc({ model, kind: 'cache_write' }, totals.cacheWriteTokens);
      if (totals.costUsd !== null) cost.inc({ model }, totals.costUsd);
    }
  }
}

/** Two models' usage under one label: a cost is unknown (null) as soon as one of them has no price. */
function added(a: UsageSum, b: UsageSum): UsageSum {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
    messages: a.messages + b.messages,
    unpricedMessages: a.unpricedMessages + b.unpricedMessages,
  };
}

async function byLabel(metric: Counter<string> | Gauge<string>, label: string): Promise<Record<string, number>> {
  const { values } = await metric.get();
  return Object.fromEntries(values.map((v) => [String(v.labels[label]), v.value]));
}

async function total(metric: Counter<string> | Gauge<string>): Promise<number> {
  const { values } = await metric.get();
  return values.reduce((n, v) => n + v.value, 0);
}

async function histogramTotals(metric: Histogram<string>): Promise<{ count: number; sumSeconds: number }> {
  const { values } = await metric.get();
  let count = 0;
  let sumSeconds = 0;
  for (const v of values) {
    if (v.metricName?.endsWith('_count')) count += v.value;
    else if (v.metricName?.endsWith('_sum')) sumSeconds += v.value;
  }
  return { count, sumSeconds };
}
