/**
 * The metrics on their own, fed by a real event bus and a usage stand-in: what events count and under
 * which labels, what a hook call times, which model names become labels, and that closing lets go of the bus.
 */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../events/event-bus.js';
import type { UsageSum } from '../sessions/usage-ledger.js';
import { DaemonMetrics } from './daemon-metrics.js';

const usage = (inputTokens: number, costUsd: number | null): UsageSum => ({ inputTokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd, messages: 1, unpricedMessages: costUsd === null ? 1 : 0 });

function metricsWith(byModel: Array<UsageSum & { model: string }> = []) {
  const bus = new EventBus(10);
  const metrics = new DaemonMetrics({
    bus,
    sessionStatuses: () => ['idle', 'idle', 'working'],
    usage: { total: () => usage(0, 0), byModel: () => byModel, byAccount: () => [] },
    sseClients: () => 2,
  });
  return { bus, metrics };
}

describe('DaemonMetrics', () => {
  it('times a permission request to its decision, and forgets one whose session ended undecided', async () => {
    const { bus, metrics } = metricsWith();
    bus.publish('permission_request', 's1', { permissionId: 'p1' });
    bus.publish('permission_resolved', 's1', { permissionId: 'p1', kind: 'permission', decision: 'allow', by: 'api' });
    bus.publish('question', 's2', { questionId: 'q1' });
    bus.publish('session_exited', 's2', { reason: 'deleted' });
    // A decision heard of only after its session ended (or for a request never heard of) is not timed.
    bus.publish('permission_resolved', 's2', { permissionId: 'q1', kind: 'question', decision: 'deny', by: 'session_ended' });
    bus.publish('permission_resolved', 's3', { permissionId: 'never-requested', decision: 'deny', by: 'api' });
    const totals = await metrics.totals();
    expect(totals.permissionWaits.count).toBe(1);
    expect(await metrics.prometheus()).toMatch(/^aegis_permission_wait_seconds_count\{kind="permission",decision="allow",by="api"\} 1$/m);
    metrics.close();
  });

  it('times only the events published while a hook call is handled', async () => {
    const { bus, metrics } = metricsWith();
    metrics.duringHook(() => 3, () => bus.publish('status_changed', 's1', { from: 'idle', to: 'working' }));
    bus.publish('status_changed', 's1', { from: 'working', to: 'idle' });
    expect((await metrics.totals()).hookToEvent).toEqual({ count: 1, sumSeconds: 0.003 });
    metrics.close();
  });

  it('counts what a value outside its list says as other', async () => {
    const { bus, metrics } = metricsWith();
    bus.publish('turn_failed', 's1', { error: 'rate_limit' });
    bus.publish('turn_failed', 's1', { error: 'a\nnew kind' });
    bus.publish('turn_failed', 's1', { error: 42 });
    bus.publish('session_exited', 's1', { reason: 'made up' });
    bus.publish('budget_exceeded', 's1', { scope: 'session', kind: 'cost', action: 'interrupt' });
    const totals = await metrics.totals();
    expect(totals.turnFailures).toEqual({ rate_limit: 1, other: 2 });
    expect(totals.sessions.ended).toEqual({ other: 1 });
    expect(totals.budgetsExceeded).toEqual([{ scope: 'session', kind: 'cost', action: 'interrupt', count: 1 }]);
    expect(totals.sessions.byStatus).toMatchObject({ idle: 2, working: 1, exited: 0 });
    expect(totals.sseClients).toBe(2);
    metrics.close();
  });

  it('gives the first 32 model names that look like names a label each; the rest are other, their costs unknown if one is', async () => {
    const models = Array.from({ length: 40 }, (_, i) => ({ model: `claude-test-${String(i).padStart(2, '0')}`, ...usage(10, 0.5) }));
    models.push({ model: 'bad"name\n', ...usage(1, null) });
    const { metrics } = metricsWith(models);
    const { byModel } = (await metrics.totals()).usage;
    expect(Object.keys(byModel)).toHaveLength(33);
    expect(byModel['claude-test-31']).toMatchObject({ inputTokens: 10, costUsd: 0.5 });
    expect(byModel.other).toMatchObject({ inputTokens: 8 * 10 + 1, costUsd: null, messages: 9 });
    const text = await metrics.prometheus();
    expect(text).toContain('aegis_tokens_total{model="other",kind="input"} 81');
    expect(text).not.toContain('aegis_cost_usd_total{model="other"}');
    expect(text).not.toContain('bad');
    metrics.close();
  });

  it('lets go of the bus when closed', () => {
    const { bus, metrics } = metricsWith();
    expect(bus.subscriberCount).toBe(1);
    metrics.close();
    expect(bus.subscriberCount).toBe(0);
  });
});
