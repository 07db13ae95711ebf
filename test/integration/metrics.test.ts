/**
 * GET /v1/metrics on a real daemon, as docs/api.md lists it: sessions, turn failures, permission waits,
 * hook latency and API requests counted as they happen, read as a Prometheus scraper reads them (an
 * independent parser) and as JSON; only a key holding metrics:read may read them; and whatever URLs
 * callers make up, the labels stay a fixed set. Sessions run a stand-in; hooks are called as Claude
 * calls them.
 */
import { appendFileSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_ACCESS } from '../../src/http/route-scopes.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { cli, killClis } from '../support/cli.js';
import { callHook, hookSecretOf } from '../support/hooks.js';
import { countOf, family, parsePrometheus, samples, valueOf, type PromFamily } from '../support/prometheus.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const MASTER = 'metrics-test-master-token-0123456789';
const master = { authorization: `Bearer ${MASTER}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const PROFILES = { 'no-shell': { rules: [{ name: 'no-bash', tool: 'Bash', decision: 'deny' as const, message: 'No shell here.' }] } };

describe('GET /v1/metrics', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: MASTER, claudeCommand: standInClaude(), permissionProfiles: PROFILES, defaultPermissionProfile: 'no-shell' } });
  });
  afterEach(() => killClis());
  afterAll(async () => {
    await t?.close();
  });

  const scrape = async (): Promise<PromFamily[]> => {
    const res = await t.api('GET', '/v1/metrics?format=prometheus', undefined, master);
    expect(res.status).toBe(200);
    return parsePrometheus(res.body as string);
  };
  const session = async (body: Record<string, unknown> = {}) => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir, ...body }, master);
    expect(created.status).toBe(201);
    const { id, tmux } = created.body as { id: string; tmux: { paneId: string } };
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`, undefined, master)).body.status === 'idle', { what: 'the stand-in to look idle' });
    return { id, workDir, secret: hookSecretOf(t.config.tmuxSocket, tmux.paneId) };
  };
  /** Writes one API response to the session's transcript, as Claude does: one record per content block, each with the response's usage. */
  const respond = (s: { id: string; workDir: string }, messageId: string, model: string, usage: Record<string, number>) => {
    const transcript = join(t.config.stateDir, '..', 'claude-config', 'projects', realpathSync(s.workDir).replace(/[^A-Za-z0-9]/g, '-'), `${s.id}.jsonl`);
    mkdirSync(dirname(transcript), { recursive: true });
    for (const [i, block] of [{ type: 'text', text: 'thinking it over' }, { type: 'text', text: 'done' }].entries()) {
      appendFileSync(transcript, `${JSON.stringify({ type: 'assistant', uuid: `${messageId}-${i}`, message: { id: messageId, role: 'assistant', model, content: [block], usage } })}\n`);
    }
  };

  it('counts sessions, turn failures, permission waits, hook latency and requests, in Prometheus text and in JSON', async () => {
    const before = await scrape();
    const a = await session();
    const b = await session({ model: 'claude-sonnet-4-5' });

    // A StopFailure with an error Claude names, and one with an error no list holds (counted as other).
    expect((await callHook(t.hookUrl, 'StopFailure', a, { error: 'rate_limit', last_assistant_message: 'API Error: 429' })).status).toBe(200);
    expect((await callHook(t.hookUrl, 'StopFailure', b, { error: `made-up-${b.id}`, last_assistant_message: 'odd' })).status).toBe(200);
    // A permission request the profile's rule denies as it arrives.
    expect((await callHook(t.hookUrl, 'PermissionRequest', a, { tool_name: 'Bash', tool_input: { command: 'ls' }, permission_suggestions: [] })).status).toBe(200);
    // Usage, from b's transcript: one response written as two records, counted once.
    respond(b, 'msg_metrics_1', 'claude-sonnet-4-5', { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 3000, cache_creation_input_tokens: 400 });
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${b.id}`, undefined, master)).body.usage.inputTokens === 1000, { what: "b's usage" });
    // A session over its token budget: budget_exceeded, and the default action (an interrupt).
    const c = await session({ maxTokens: 100 });
    respond(c, 'msg_metrics_2', 'claude-unpriced-test-model', { input_tokens: 150, output_tokens: 1 });
    await waitFor(async () => (await t.api('GET', '/v1/metrics', undefined, master)).body.budgetsExceeded.length === 1, { what: 'the budget to be exceeded' });
    const bUsage = (await t.api('GET', `/v1/sessions/${b.id}`, undefined, master)).body.usage;
    expect(bUsage.costUsd).toBeGreaterThan(0);

    const during = await scrape();
    expect(valueOf(during, 'aegis_sessions_created_total') - valueOf(before, 'aegis_sessions_created_total')).toBe(3);
    const listed = (await t.api('GET', '/v1/sessions', undefined, master)).body.sessions as Array<{ status: string }>;
    for (const status of ['starting', 'idle', 'working', 'permission_prompt', 'asking', 'stalled', 'exited']) {
      expect(valueOf(during, 'aegis_sessions', { status }), status).toBe(listed.filter((s) => s.status === status).length);
    }
    expect(listed).toHaveLength(3);
    expect(valueOf(during, 'aegis_turn_failures_total', { error: 'rate_limit' })).toBe(1);
    expect(valueOf(during, 'aegis_turn_failures_total', { error: 'other' })).toBe(1);
    expect(countOf(during, 'aegis_permission_wait_seconds', { kind: 'permission', decision: 'deny', by: 'rule' })).toBe(1);
    expect(countOf(during, 'aegis_hook_to_event_seconds', { event: 'turn_failed' })).toBe(2);
    expect(countOf(during, 'aegis_hook_to_event_seconds', { event: 'permission_request' })).toBe(1);
    expect(countOf(during, 'aegis_http_request_duration_seconds', { method: 'POST', route: '/v1/sessions', status: '201' })).toBe(3);
    expect(countOf(during, 'aegis_http_request_duration_seconds', { method: 'GET', route: '/v1/sessions/:id', status: '200' })).toBeGreaterThan(0);
    expect(valueOf(during, 'aegis_tokens_total', { model: 'claude-sonnet-4-5', kind: 'input' })).toBe(1000);
    expect(valueOf(during, 'aegis_tokens_total', { model: 'claude-sonnet-4-5', kind: 'output' })).toBe(200);
    expect(valueOf(during, 'aegis_tokens_total', { model: 'claude-sonnet-4-5', kind: 'cache_read' })).toBe(3000);
    expect(valueOf(during, 'aegis_tokens_total', { model: 'claude-sonnet-4-5', kind: 'cache_write' })).toBe(400);
    expect(valueOf(during, 'aegis_cost_usd_total', { model: 'claude-sonnet-4-5' })).toBeCloseTo(bUsage.costUsd, 9);
    expect(valueOf(during, 'aegis_budgets_exceeded_total', { scope: 'session', kind: 'tokens', action: 'interrupt' })).toBe(1);
    expect(family(during, 'aegis_event_loop_lag_seconds').metrics.map((m) => m.labels?.stat).sort()).toEqual(['max', 'mean', 'p50', 'p99']);
    expect(valueOf(during, 'aegis_sse_clients')).toBe(0);

    expect((await t.api('DELETE', `/v1/sessions/${b.id}`, undefined, master)).status).toBe(200);
    const after = await scrape();
    expect(valueOf(after, 'aegis_sessions_ended_total', { reason: 'deleted' })).toBe(1);
    expect(family(after, 'aegis_sessions').metrics.reduce((n, m) => n + Number(m.value), 0)).toBe(2);

    // No label anywhere carries a session id or what a hook said.
    const text = (await t.api('GET', '/v1/metrics?format=prometheus', undefined, master)).body as string;
    for (const id of [a.id, b.id, c.id]) expect(text).not.toContain(id);
    expect(text).not.toContain('made-up');

    const json = (await t.api('GET', '/v1/metrics', undefined, master)).body;
    expect(json.sessions).toMatchObject({ byStatus: { exited: 0 }, created: valueOf(after, 'aegis_sessions_created_total'), ended: { deleted: 1 } });
    expect(json.turnFailures).toEqual({ rate_limit: 1, other: 1 });
    expect(json.permissionWaits.count).toBe(1);
    expect(json.hookToEvent.count).toBe(countOf(after, 'aegis_hook_to_event_seconds'));
    expect(json.httpRequests).toBeGreaterThan(0);
    // The ledger's totals outlive the deleted session; a model with no price has tokens and a null cost.
    expect(json.usage.byModel['claude-sonnet-4-5']).toMatchObject({ inputTokens: 1000, outputTokens: 200, cacheReadTokens: 3000, cacheWriteTokens: 400, costUsd: bUsage.costUsd });
    expect(json.usage.byModel['claude-unpriced-test-model']).toMatchObject({ inputTokens: 150, outputTokens: 1, costUsd: null });
    expect(json.usage.total).toMatchObject({ inputTokens: 1150, outputTokens: 201, costUsd: bUsage.costUsd });
    expect(valueOf(after, 'aegis_tokens_total', { model: 'claude-sonnet-4-5', kind: 'input' })).toBe(1000);
    expect(valueOf(after, 'aegis_tokens_total', { model: 'claude-unpriced-test-model', kind: 'input' })).toBe(150);
    expect(samples(after, 'aegis_cost_usd_total', { model: 'claude-unpriced-test-model' })).toEqual([]);
    expect(json.budgetsExceeded).toEqual([{ scope: 'session', kind: 'tokens', action: 'interrupt', count: 1 }]);
  });

  it('answers Prometheus text to Accept: text/plain, as a scraper asks, and JSON otherwise', async () => {
    const scraper = await t.api('GET', '/v1/metrics', undefined, { ...master, accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2' });
    expect(scraper.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(family(parsePrometheus(scraper.body as string), 'aegis_sessions').type).toBe('GAUGE');
    const json = await t.api('GET', '/v1/metrics', undefined, { ...master, accept: 'application/json, text/plain' });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.body.sessions).toBeDefined();
    expect((await t.api('GET', '/v1/metrics?format=xml', undefined, master)).status).toBe(400);
  });

  it('refuses a key without metrics:read with 403, and serves one with it', async () => {
    const approver = (await t.api('POST', '/v1/auth/keys', { name: 'approver', role: 'approver' }, master)).body.key as string;
    const viewer = (await t.api('POST', '/v1/auth/keys', { name: 'viewer', role: 'viewer' }, master)).body.key as string;
    const refused = await t.api('GET', '/v1/metrics?format=prometheus', undefined, bearer(approver));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBeDefined();
    expect((await t.api('GET', '/v1/metrics', undefined, bearer(approver))).status).toBe(403);
    expect((await t.api('GET', '/v1/metrics?format=prometheus', undefined, bearer(viewer))).status).toBe(200);
    expect((await t.api('GET', '/v1/metrics')).status).toBe(401);
  });

  it('labels requests by route template: made-up URLs and unknown ids add no series', async () => {
    const seriesOf = (families: PromFamily[]) => family(families, 'aegis_http_request_duration_seconds').metrics.map((m) => JSON.stringify(m.labels));
    const before = seriesOf(await scrape());
    for (let i = 0; i < 40; i++) {
      expect((await t.api('GET', `/v1/nowhere/${i}/x${'y'.repeat(i)}`, undefined, master)).status).toBe(404);
      expect((await t.api('GET', `/v1/sessions/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, undefined, master)).status).toBe(404);
    }
    const after = await scrape();
    // 80 requests to 80 URLs: one series for those no route took, one for the session route's 404s (and the scrape's own).
    expect(seriesOf(after).filter((s) => !before.includes(s)).length).toBeLessThanOrEqual(3);
    const templates = new Set([...Object.keys(ROUTE_ACCESS).map((key) => key.split(' ')[1]), 'unmatched']);
    for (const m of family(after, 'aegis_http_request_duration_seconds').metrics) expect(templates).toContain(m.labels?.route);
    expect(countOf(after, 'aegis_http_request_duration_seconds', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(40);
    expect(countOf(after, 'aegis_http_request_duration_seconds', { route: '/v1/sessions/:id', status: '404' })).toBeGreaterThanOrEqual(40);
    const text = (await t.api('GET', '/v1/metrics?format=prometheus', undefined, master)).body as string;
    expect(text).not.toContain('nowhere');
    expect(text).not.toContain('00000000-0000');
  });

  it('keeps GET /v1/diagnostics, behind metrics:read, with the configuration redacted', async () => {
    const res = await t.api('GET', '/v1/diagnostics', undefined, master);
    expect(res.status).toBe(200);
    expect(res.body.config).toBeDefined();
    expect(JSON.stringify(res.body)).not.toContain(MASTER);
    const approver = (await t.api('POST', '/v1/auth/keys', { name: 'approver-2', role: 'approver' }, master)).body.key as string;
    expect((await t.api('GET', '/v1/diagnostics', undefined, bearer(approver))).status).toBe(403);
  });

  it('aegis metrics prints the JSON, and the Prometheus text with --prometheus', async () => {
    const json = await cli(['metrics', '--url', t.url, '--token', MASTER]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).sessions.created).toBeGreaterThan(0);
    const text = await cli(['metrics', '--prometheus', '--url', t.url, '--token', MASTER]);
    expect(text.code, text.stderr).toBe(0);
    expect(valueOf(parsePrometheus(text.stdout), 'aegis_sessions_created_total')).toBe(JSON.parse(json.stdout).sessions.created);
    const refused = await cli(['metrics', '--url', t.url]);
    expect(refused.code).not.toBe(0);
  });
});
