/**
 * Usage, cost and budgets with the real Claude Code and a fake model API that reports known usage: the
 * session's figures, the daemon's totals and /v1/metrics (JSON and Prometheus text) are what the price
 * table gives for the distinct responses, before and after a restart; a model without a price costs null; a session with maxCostUsd is
 * interrupted when its usage crosses it, with both budget events, and takes no more prompts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { parsePrometheus, valueOf } from '../support/prometheus.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

/** The built-in prices of claude-opus-5-5 (Claude Code's default model), USD per million tokens. */
const OPUS_5_5 = { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 };
interface FakeUsage { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number }
const price = (u: FakeUsage) =>
  (u.input_tokens * OPUS_5_5.input + u.output_tokens * OPUS_5_5.output + (u.cache_creation_input_tokens ?? 0) * OPUS_5_5.cacheWrite + (u.cache_read_input_tokens ?? 0) * OPUS_5_5.cacheRead) / 1e6;

describe('usage and budgets with the real Claude Code', () => {
  let t: TestDaemon;
  let events: SseClient;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
    events = await openSse(`${t.url}/v1/events`);
  });
  afterAll(async () => {
    events?.close();
    await t?.close();
  });

  const session = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body;
  const untilIdle = (id: string) => waitFor(async () => (await session(id)).status === 'idle', { timeoutMs: 30_000, what: `session ${id} to be idle` });
  const idleSession = async (body: Record<string, unknown> = {}) => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), ...body });
    expect(created.status).toBe(201);
    await untilIdle(created.body.id as string);
    return created.body as { id: string; workDir: string };
  };
  const send = async (id: string, text: string) => expect((await t.api('POST', `/v1/sessions/${id}/send`, { text })).body).toMatchObject({ delivered: true });
  /** What /v1/metrics says of a model's usage, as JSON and as Prometheus text read by an independent parser. */
  const metricsOf = async (model: string) => {
    const json = (await t.api('GET', '/v1/metrics')).body.usage.byModel[model];
    const text = await (await fetch(`${t.url}/v1/metrics?format=prometheus`)).text();
    const families = parsePrometheus(text);
    const tokens = (kind: string) => valueOf(families, 'aegis_tokens_total', { model, kind });
    return { json, prometheus: { inputTokens: tokens('input'), outputTokens: tokens('output'), cacheReadTokens: tokens('cache_read'), cacheWriteTokens: tokens('cache_write'), costUsd: valueOf(families, 'aegis_cost_usd_total', { model }) } };
  };
  const eventsOf = (id: string, type: string) => events.events.filter((e) => e.event === type && e.data.sessionId === id);

  it("counts each response once, priced by the table, in the session and the daemon's totals, also after a restart", async () => {
    const { id } = await idleSession();
    const first: FakeUsage = { input_tokens: 120, output_tokens: 45, cache_creation_input_tokens: 3000, cache_read_input_tokens: 2000 };
    const second: FakeUsage = { input_tokens: 80, output_tokens: 30, cache_read_input_tokens: 5000 };
    // The second response has two content blocks (thinking and text): two transcript records, one response.
    t.fake!.enqueueFor(id, { text: 'first', usage: first }, { thinking: 'mulling', text: 'second', usage: second });
    await send(id, 'one');
    await untilIdle(id);
    await send(id, 'two');
    await untilIdle(id);
    const expected = { inputTokens: 200, outputTokens: 75, cacheWriteTokens: 3000, cacheReadTokens: 7000 };
    const cost = price(first) + price(second);
    await waitFor(async () => (await session(id)).usage.inputTokens === 200, { what: 'the usage of both responses' });
    const { usage } = await session(id);
    expect(usage).toMatchObject(expected);
    expect(usage.costUsd).toBeCloseTo(cost, 9);
    expect(usage.byModel).toEqual([expect.objectContaining({ model: 'claude-opus-5-5', ...expected })]);
    const totals = () => t.daemon.supervisor.usageTotals.byModel().find((m) => m.model === 'claude-opus-5-5');
    expect(totals()).toMatchObject({ ...expected, messages: 2, unpricedMessages: 0 });
    expect(totals()!.costUsd).toBeCloseTo(cost, 9);
    const metrics = async () => {
      const { json, prometheus } = await metricsOf('claude-opus-5-5');
      expect(json).toMatchObject({ ...expected, messages: 2 });
      expect(json.costUsd).toBeCloseTo(cost, 9);
      expect(prometheus).toMatchObject(expected);
      expect(prometheus.costUsd).toBeCloseTo(cost, 9);
    };
    await metrics();

    await t.stop();
    await t.restart();
    events.close();
    events = await openSse(`${t.url}/v1/events`);
    await waitFor(async () => (await session(id)).usage.inputTokens === 200, { what: 'the usage read again after the restart' });
    expect((await session(id)).usage.costUsd).toBeCloseTo(cost, 9);
    expect(totals()).toMatchObject({ ...expected, messages: 2 });
    await metrics();
  });

  it('counts the tokens of a model without a price, with a null cost', async () => {
    const { id } = await idleSession({ model: 'my-gateway-model' });
    t.fake!.enqueueFor(id, { text: 'unpriced', usage: { input_tokens: 10, output_tokens: 5 } });
    await send(id, 'hello');
    await untilIdle(id);
    await waitFor(async () => (await session(id)).usage.inputTokens === 10, { what: 'the usage' });
    expect((await session(id)).usage).toMatchObject({ inputTokens: 10, outputTokens: 5, costUsd: null, byModel: [{ model: 'my-gateway-model', costUsd: null }] });
    expect(t.daemon.supervisor.usageTotals.byModel().find((m) => m.model === 'my-gateway-model')).toMatchObject({ inputTokens: 10, costUsd: null });
    expect((await metricsOf('my-gateway-model')).json).toMatchObject({ inputTokens: 10, costUsd: null });
  });

  it('interrupts a session whose usage crosses its maxCostUsd, with budget_warning and budget_exceeded, and refuses its next prompt', async () => {
    const { id, workDir } = await idleSession({ maxCostUsd: 0.01 });
    writeFileSync(join(workDir, 'notes.txt'), 'some notes\n');
    // 3000 input tokens cost 0.012 USD: the first response crosses the budget; Claude runs its Read and
    // asks the model again, and that answer never comes until the turn is interrupted.
    t.fake!.enqueueFor(id, { text: 'Reading.', toolUse: { name: 'Read', input: { file_path: join(workDir, 'notes.txt') } }, usage: { input_tokens: 3000, output_tokens: 10 } }, { hang: true });
    await send(id, 'read the notes');
    await waitFor(() => eventsOf(id, 'budget_exceeded').length > 0, { timeoutMs: 30_000, what: 'budget_exceeded' });
    expect(eventsOf(id, 'budget_warning').map((e) => e.data)).toEqual([expect.objectContaining({ scope: 'session', kind: 'cost', limit: 0.01, action: 'interrupt' })]);
    expect(eventsOf(id, 'budget_exceeded').map((e) => e.data)).toEqual([expect.objectContaining({ scope: 'session', kind: 'cost', limit: 0.01, used: price({ input_tokens: 3000, output_tokens: 10 }), action: 'interrupt' })]);
    await untilIdle(id);
    await waitFor(async () => ((await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ text: string }>).some((m) => m.text.startsWith('[Request interrupted by user')), {
      what: 'the interruption in the transcript',
    });
    const refused = await t.api('POST', `/v1/sessions/${id}/send`, { text: 'more' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { scope: 'session', maxCostUsd: 0.01 } });
    expect(eventsOf(id, 'budget_exceeded')).toHaveLength(1);
    t.fake!.release();
  });
});
