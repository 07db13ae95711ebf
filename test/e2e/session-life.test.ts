/**
 * End to end with the real Claude Code: hooks that keep working across a restart on another port,
 * sends that are safe to retry, and a start that cannot succeed.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

describe('a session across daemon restarts and retries', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  const status = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body.status as string;
  const untilStatus = (id: string, wanted: string) => waitFor(async () => (await status(id)) === wanted, { timeoutMs: 30_000, what: `the session to be ${wanted}` });
  const userTexts = async (id: string) =>
    ((await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ role: string; kind: string; text: string }>)
      .filter((m) => m.role === 'user' && m.kind === 'text')
      .map((m) => m.text);
  const idleSession = async (workDir = t.workDir()) => {
    const id = (await t.api('POST', '/v1/sessions', { workDir })).body.id as string;
    await untilStatus(id, 'idle');
    return id;
  };

  it("keeps its hooks after the daemon restarts on another port (Claude never re-reads its hook URL)", async () => {
    const workDir = t.workDir();
    const id = await idleSession(workDir);
    const firstPort = t.daemon.port;
    await t.stop();
    await t.restart({ port: 0 });
    expect(t.daemon.port).not.toBe(firstPort);
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[bash: echo hooked > hooked.txt]]' });
    const [pending] = await waitFor(async () => {
      const list = (await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending as Array<{ id: string; source: string }>;
      return list.length > 0 && list;
    }, { timeoutMs: 20_000, what: 'the permission request' });
    expect(pending!.source).toBe('hook');
    expect((await t.api('POST', `/v1/sessions/${id}/approve`, { permissionId: pending!.id })).status).toBe(200);
    await waitFor(() => existsSync(join(workDir, 'hooked.txt')), { timeoutMs: 20_000, what: 'the approved command to run' });
  });

  it('submits a typed text of many lines with its first Enter (Claude would take a fast Enter as a line break)', async () => {
    const id = await idleSession();
    const text = Array.from({ length: 9 }, (_, i) => `line ${i + 1} of 9`).join('\n');
    const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text });
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    expect(await userTexts(id)).toEqual([text]);
  });

  it('submits a first prompt of a usual length with its first Enter while Claude still draws its start-up screen', async () => {
    // Typed while Claude is busy starting, text and Enter reach it as one burst: a paste, in which
    // Enter is no submit. Every prompt of about 60 characters or more needed a second attempt.
    const prompt = 'Summarise the notes in the work directory for me, all of them now.';
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt });
    expect(created.status).toBe(201);
    expect(created.body.promptDelivery).toEqual({ delivered: true, attempts: 1 });
    expect(await userTexts(created.body.id)).toEqual([prompt]);
  });

  it('answers a send retried with the same Idempotency-Key from the first delivery, without typing it again', async () => {
    const id = await idleSession();
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await t.api('POST', `/v1/sessions/${id}/send`, { text: 'only once please' }, headers);
    expect(first.body).toMatchObject({ delivered: true });
    await untilStatus(id, 'idle');
    const again = await t.api('POST', `/v1/sessions/${id}/send`, { text: 'only once please' }, headers);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ delivered: true });
    const other = await t.api('POST', `/v1/sessions/${id}/send`, { text: 'something else' }, headers);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await userTexts(id)).toEqual(['only once please']);
  });

  it('answers a create retried with the same Idempotency-Key with the first session, its prompt given once, also while the first runs and after a restart', async () => {
    const workDir = t.workDir();
    const body = { workDir, name: 'keyed', prompt: 'started once please' };
    const headers = { 'idempotency-key': 'create-1' };
    // The retry comes while the first is still starting Claude and delivering its prompt.
    const [first, meanwhile] = await Promise.all([t.api('POST', '/v1/sessions', body, headers), t.api('POST', '/v1/sessions', { name: 'keyed', prompt: 'started once please', workDir }, headers)]);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ reused: false, promptDelivery: { delivered: true } });
    expect(meanwhile.status).toBe(201);
    expect(meanwhile.body).toMatchObject({ id: first.body.id, reused: false, promptDelivery: first.body.promptDelivery });
    await untilStatus(first.body.id, 'idle');

    const after = await t.api('POST', '/v1/sessions', body, headers);
    expect(after.status).toBe(201);
    expect(after.body).toMatchObject({ id: first.body.id, promptDelivery: { delivered: true } });
    await t.stop();
    await t.restart();
    await untilStatus(first.body.id, 'idle');
    const restarted = await t.api('POST', '/v1/sessions', body, headers);
    expect(restarted.body).toMatchObject({ id: first.body.id, promptDelivery: { delivered: true } });

    const other = await t.api('POST', '/v1/sessions', { ...body, prompt: 'another prompt' }, headers);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Another key's holder with the same Idempotency-Key gets a session of its own.
    const key = (await t.api('POST', '/v1/auth/keys', { name: 'other-caller', role: 'operator' })).body.key as string;
    const theirs = await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, { ...headers, authorization: `Bearer ${key}` });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first.body.id);

    expect(await userTexts(first.body.id)).toEqual(['started once please']);
    const listed = (await t.api('GET', '/v1/sessions')).body.sessions as Array<{ name: string }>;
    expect(listed.filter((s) => s.name === 'keyed')).toHaveLength(1);
  });
});

describe('a start that cannot succeed', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    // A Claude Code config dir without onboarding done: Claude checks its service first, offline it gives up.
    t = await startTestDaemon({ claude: true, env: { CLAUDE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'aegis-fresh-claude-')) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends as start_failed with the screen and a hint when first-run onboarding cannot reach its service', async () => {
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    const ended = await waitFor(async () => {
      const session = (await t.api('GET', `/v1/sessions/${id}`)).body;
      return session.status === 'exited' && session;
    }, { timeoutMs: 30_000, what: 'the start to fail' });
    expect(ended.exit).toMatchObject({ reason: 'start_failed', hint: expect.stringMatching(/hasCompletedOnboarding/) });
    expect(ended.exit.lastScreen).toContain('Unable to connect to Anthropic services');
  });
});

describe('a Claude Code with no API key or login', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    // Onboarding done, but no key in the environment and no stored login: Claude starts, then says
    // "Not logged in" to every prompt.
    t = await startTestDaemon({ claude: true, env: { ANTHROPIC_API_KEY: undefined } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('fails the first turn as authentication_failed with a hint naming the fix, and asks the model nothing', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: 'hello' });
    expect(created.status).toBe(201);
    const events = await openSse(`${t.url}/v1/sessions/${created.body.id}/events?lastEventId=0`);
    try {
      const failed = await events.waitFor((e) => e.event === 'turn_failed');
      expect(failed.data).toMatchObject({ error: 'authentication_failed', message: expect.stringContaining('Not logged in'), hint: expect.stringMatching(/set ANTHROPIC_API_KEY .*aegis doctor/) });
    } finally {
      events.close();
    }
    expect(t.fake!.requests.filter((r) => r.isMain)).toEqual([]);
  });
});
