/**
 * Usage and budgets through the daemon, with a stand-in for Claude whose transcripts the test writes as
 * Claude would: each API response counted once (one record per content block, /clear, a restart), its
 * cost from the price table, totals in the ledger that outlive a restart and a deleted session, usage
 * saved as it changes; budgets that announce once and stop work, and refusals of absurd budgets.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { transcriptPath } from '../../src/claude/transcript.js';
import { MAX_TOKENS_PER_RESPONSE } from '../../src/claude/usage-tally.js';
import type { AegisEvent } from '../../src/events/event-bus.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { STAND_IN_SECRET_ENV, standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const MASTER = 'usage-test-master-token-0123456789';

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface Created {
  id: string;
  transcript: string;
  secret: string;
}

async function idleSession(daemon: TestDaemon, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Created> {
  const created = await daemon.api('POST', '/v1/sessions', { workDir: daemon.workDir(), ...body }, headers);
  expect(created.status).toBe(201);
  const { id, workDir } = created.body as { id: string; workDir: string };
  await waitFor(async () => (await daemon.api('GET', `/v1/sessions/${id}`, undefined, headers)).body.status === 'idle', { what: 'the stand-in to look idle' });
  const pid = execFileSync('tmux', ['-L', daemon.config.tmuxSocket, 'display-message', '-p', '-t', created.body.tmux.paneId, '#{pane_pid}']).toString().trim();
  const environ = execFileSync('cat', [`/proc/${pid}/environ`]).toString().split('\0');
  const secret = environ.find((v) => v.startsWith(`${STAND_IN_SECRET_ENV}=`))!.slice(STAND_IN_SECRET_ENV.length + 1);
  const transcript = transcriptPath({ CLAUDE_CONFIG_DIR: join(dirname(daemon.config.stateDir), 'claude-config') }, workDir, id);
  mkdirSync(dirname(transcript), { recursive: true });
  return { id, transcript, secret };
}

/** A hook call as Claude makes one, naming the transcript it writes: the daemon reads it then. */
const notify = (daemon: TestDaemon, s: Created, path = s.transcript) =>
  daemon.hookApi('POST', `/v1/hooks/Notification?session=${s.id}`, { hook_event_name: 'Notification', session_id: s.id, transcript_path: path, message: 'n' }, { 'x-aegis-hook-secret': s.secret });

interface Usage { input_tokens?: unknown; output_tokens?: unknown; cache_read_input_tokens?: unknown; cache_creation_input_tokens?: unknown }
/** One API response as Claude records it: one record per content block, each repeating the usage. */
const response = (messageId: string, usage: Usage, { blocks = 1, model = 'claude-opus-5-5' } = {}) =>
  Array.from({ length: blocks }, (_, i) => JSON.stringify({
    type: 'assistant', uuid: randomUUID(), timestamp: new Date().toISOString(),
    message: { id: messageId, model, role: 'assistant', content: [{ type: 'text', text: `block ${i}` }], usage },
  }));
const lines = (...records: Array<string | string[]>) => records.flat().map((r) => `${r}\n`).join('');
/** claude-opus-5-5 input costs 4 USD per million tokens: this many tokens cost `usd`. */
const costing = (usd: number): Usage => ({ input_tokens: usd * 250_000, output_tokens: 0 });

const sessionOf = async (id: string, headers: Record<string, string> = {}) => (await t!.api('GET', `/v1/sessions/${id}`, undefined, headers)).body;
const storedUsage = (id: string) => {
  const row = t!.daemon.db.prepare('SELECT record FROM sessions WHERE id = ?').get(id) as { record: string } | undefined;
  return row ? (JSON.parse(row.record) as { usage: { inputTokens: number } }).usage : null;
};

describe('usage', () => {
  const a = { input_tokens: 1000, output_tokens: 10, cache_read_input_tokens: 2000, cache_creation_input_tokens: 300 };
  const b = { input_tokens: 500, output_tokens: 20 };
  const c = { input_tokens: 1, output_tokens: 1 };
  const price = (u: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number }) =>
    (u.input_tokens * 4 + u.output_tokens * 20 + (u.cache_creation_input_tokens ?? 0) * 5 + (u.cache_read_input_tokens ?? 0) * 0.2) / 1e6;

  it('counts each API response once across content blocks, /clear and a restart; the ledger keeps totals past a deleted session', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() } });
    const s = await idleSession(t);
    writeFileSync(s.transcript, lines(response('msg_a', a, { blocks: 3 })));
    await notify(t, s);
    await waitFor(async () => (await sessionOf(s.id)).usage.inputTokens === 1000, { what: 'the first usage' });
    expect((await sessionOf(s.id)).usage).toEqual({
      inputTokens: 1000, outputTokens: 10, cacheReadTokens: 2000, cacheWriteTokens: 300, costUsd: price(a),
      byModel: [{ model: 'claude-opus-5-5', inputTokens: 1000, outputTokens: 10, cacheReadTokens: 2000, cacheWriteTokens: 300, costUsd: price(a) }],
    });
    // Saved as it changed, with no status change to carry it (a crash would otherwise lose it).
    await waitFor(() => storedUsage(s.id)?.inputTokens === 1000, { what: 'the usage to be saved' });
    expect((await sessionOf(s.id)).status).toBe('idle');

    // After /clear Claude writes a new transcript; a response it repeats there is the same response.
    const cleared = join(dirname(s.transcript), `${randomUUID()}.jsonl`);
    writeFileSync(cleared, lines(response('msg_a', a), response('msg_b', b, { blocks: 2 })));
    await notify(t, s, cleared);
    await waitFor(async () => (await sessionOf(s.id)).usage.inputTokens === 1500, { what: 'the usage after /clear' });
    const totals = () => t!.daemon.supervisor.usageTotals;
    const expected = { inputTokens: 1500, outputTokens: 30, cacheReadTokens: 2000, cacheWriteTokens: 300, costUsd: price(a) + price(b), messages: 2, unpricedMessages: 0 };
    expect(totals().total()).toEqual(expected);
    expect(totals().byAccount()).toEqual([{ account: 'local', ...expected }]);
    expect(totals().byModel()).toEqual([{ model: 'claude-opus-5-5', ...expected }]);

    await t.stop();
    await t.restart();
    await waitFor(async () => (await sessionOf(s.id)).usage.inputTokens === 1500, { what: 'the usage read again after the restart' });
    expect(totals().total()).toEqual(expected);
    appendFileSync(cleared, lines(response('msg_c', c)));
    await notify(t, s, cleared);
    await waitFor(async () => (await sessionOf(s.id)).usage.inputTokens === 1501, { what: 'a new response after the restart' });
    expect(totals().total()).toMatchObject({ inputTokens: 1501, messages: 3 });

    expect((await t.api('DELETE', `/v1/sessions/${s.id}`)).status).toBe(200);
    expect(totals().total()).toMatchObject({ inputTokens: 1501, messages: 3 });
  });

  it("counts an unknown model's tokens with a null cost, and bounds absurd claims", async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() } });
    const s = await idleSession(t);
    writeFileSync(s.transcript, lines(
      response('msg_x', { input_tokens: 70, output_tokens: 7 }, { model: 'my-local-model' }),
      response('msg_y', { input_tokens: 1e300, output_tokens: -5, cache_read_input_tokens: 'NaN', cache_creation_input_tokens: 2.5 }, { model: 'my-local-model' }),
    ));
    await notify(t, s);
    await waitFor(async () => (await sessionOf(s.id)).usage.outputTokens === 7, { what: 'the usage' });
    const { usage } = await sessionOf(s.id);
    expect(usage).toMatchObject({ inputTokens: 70 + MAX_TOKENS_PER_RESPONSE, outputTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 2, costUsd: null });
    expect(usage.byModel).toEqual([expect.objectContaining({ model: 'my-local-model', costUsd: null })]);
    expect(t.daemon.supervisor.usageTotals.byModel()).toEqual([expect.objectContaining({ model: 'my-local-model', costUsd: null, unpricedMessages: 2 })]);
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
  });
});

describe('budgets', () => {
  const collect = (daemon: TestDaemon) => {
    const events: AegisEvent[] = [];
    daemon.daemon.bus.subscribe((event) => {
      if (event.type.startsWith('budget_')) events.push(event);
    });
    return events;
  };

  it('a session reaching maxCostUsd is warned at 80%, then exceeded once, and ended with the kill action', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), budgetAction: 'kill' } });
    const events = collect(t);
    const s = await idleSession(t, { maxCostUsd: 1 });
    expect((await sessionOf(s.id)).maxCostUsd).toBe(1);
    writeFileSync(s.transcript, lines(response('msg_1', costing(0.85))));
    await notify(t, s);
    await waitFor(() => events.length === 1, { what: 'budget_warning' });
    expect(events[0]).toMatchObject({ type: 'budget_warning', sessionId: s.id, scope: 'session', kind: 'cost', limit: 1, used: 0.85, action: 'kill' });
    appendFileSync(s.transcript, lines(response('msg_2', costing(0.25)), response('msg_2', costing(0.25))));
    await notify(t, s);
    await waitFor(async () => (await sessionOf(s.id)).status === 'exited', { what: 'the session to end' });
    expect((await sessionOf(s.id)).exit.reason).toBe('budget_exceeded');
    expect(events.map((e) => e.type)).toEqual(['budget_warning', 'budget_exceeded']);
    expect(events[1]).toMatchObject({ scope: 'session', kind: 'cost', limit: 1, used: 1.1, action: 'kill' });
  });

  it('a key over its daily budget gets 429 BUDGET_EXCEEDED with Retry-After for new sessions and sends; the master token does not', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), authToken: MASTER, budgetAction: 'notify' } });
    const master = { authorization: `Bearer ${MASTER}` };
    const events = collect(t);
    const key = await t.api('POST', '/v1/auth/keys', { name: 'spender', role: 'operator', budgetUsd: 2 }, master);
    expect(key.status).toBe(201);
    expect(key.body).toMatchObject({ budgetUsd: 2 });
    const asKey = { authorization: `Bearer ${key.body.key as string}` };
    const s = await idleSession(t, {}, asKey);
    writeFileSync(s.transcript, lines(response('msg_1', costing(1)), response('msg_2', costing(1.5))));
    await notify(t, s);
    await waitFor(() => events.length === 2, { what: 'the key budget events' });
    expect(events.map((e) => [e.type, e.scope, e.keyId, e.used])).toEqual([['budget_warning', 'key', key.body.id, 2.5], ['budget_exceeded', 'key', key.body.id, 2.5]]);

    const refused = await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, asKey);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { scope: 'key', limit: 2, used: 2.5 } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    const send = await t.api('POST', `/v1/sessions/${s.id}/send`, { text: 'more' }, asKey);
    expect(send.status).toBe(429);
    expect(send.body.error.code).toBe('BUDGET_EXCEEDED');
    expect((await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, master)).status).toBe(201);

    // Once per crossing: a restart announces nothing again.
    await t.stop();
    await t.restart();
    const after = collect(t);
    appendFileSync(s.transcript, lines(response('msg_3', costing(0.1))));
    await notify(t, s);
    await waitFor(async () => (await sessionOf(s.id, master)).usage.inputTokens === costing(2.6).input_tokens, { what: 'the usage after the restart' });
    expect(after).toEqual([]);
  });

  it('refuses absurd session budgets with 400, naming the field', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() } });
    const absurd = [
      ['maxCostUsd', -1], ['maxCostUsd', 0], ['maxCostUsd', 1e12], ['maxCostUsd', 'NaN'], ['maxCostUsd', null],
      ['maxTokens', -5], ['maxTokens', 1.5], ['maxTokens', 1e20], ['maxTokens', '100'],
    ] as const;
    for (const [field, value] of absurd) {
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), [field]: value });
      expect(res.status, `${field}: ${String(value)}`).toBe(400);
      expect(res.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(field);
    }
  });

  it('refuses absurd key budgets with 400', async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), authToken: MASTER } });
    for (const [field, value] of [['budgetUsd', -1], ['budgetUsd', 0], ['budgetUsd', 1e300], ['budgetUsd', '5'], ['maxCostUsd', -2], ['maxTokens', 0.5]] as const) {
      const res = await t.api('POST', '/v1/auth/keys', { name: 'k', role: 'operator', [field]: value }, { authorization: `Bearer ${MASTER}` });
      expect(res.status, `${field}: ${String(value)}`).toBe(400);
      expect(res.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(field);
    }
  });
});
