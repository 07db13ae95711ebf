/**
 * The audit trail of a real daemon: every state-changing action becomes exactly one entry with the
 * caller that did it (a key with its name, the master token, a rule, the system), done or refused, text
 * as its digest, never a secret; credentials refused become auth.failure / auth.lockout.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClaudeCommand } from '../support/fake-claude.js';
import { callHook, hookSecretOf } from '../support/hooks.js';
import { waitFor } from '../support/wait-for.js';

const MASTER = 'audit-trail-master-token-0123456789abcdef';
const master = { authorization: `Bearer ${MASTER}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

interface Entry {
  id: number;
  at: string;
  actor: string;
  actorName: string | null;
  action: string;
  resource: string | null;
  ip: string | null;
  outcome: string;
  details: Record<string, any>;
  hash: string;
}

const PROFILES = {
  'no-shell': { rules: [{ name: 'no-bash', tool: 'Bash', decision: 'deny' as const, message: 'No shell here.' }] },
  quick: { rules: [], timeoutMs: 1000, onTimeout: 'deny' as const },
  patient: { rules: [] },
};

describe('the audit trail of the API', () => {
  let t: TestDaemon;
  const secrets: string[] = [MASTER];
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: MASTER, claudeCommand: fakeClaudeCommand(), permissionProfiles: PROFILES } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const entries = async (query: Record<string, string>): Promise<Entry[]> => {
    const res = await t.api('GET', `/v1/audit?${new URLSearchParams({ limit: '1000', ...query })}`, undefined, master);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.entries;
  };
  const createKey = async (name: string, role: string) => {
    const res = await t.api('POST', '/v1/auth/keys', { name, role }, master);
    expect(res.status).toBe(201);
    secrets.push(res.body.key);
    return res.body as { id: string; key: string };
  };
  const idle = (id: string, headers: Record<string, string>) =>
    waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`, undefined, headers)).body.status === 'idle', { what: 'the session to be idle' });

  it('records the configuration loaded at startup once, by the system, without the master token', async () => {
    const loaded = await entries({ action: 'config.load' });
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ id: 1, actor: 'system', outcome: 'ok', details: { config: { authToken: '[redacted]', maxSessions: t.config.maxSessions } } });
  });

  it('records each session action once, with the key and its name, the address, and text as its digest', async () => {
    const bot = await createKey('ci-bot', 'operator');
    const prompt = 'the first prompt, kept only as a digest';
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt, name: 'audited' }, bearer(bot.key));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await idle(id, bearer(bot.key));
    const text = 'a message, kept only as a digest';
    expect((await t.api('POST', `/v1/sessions/${id}/send`, { text }, bearer(bot.key))).status).toBe(200);
    expect((await t.api('POST', `/v1/sessions/${id}/interrupt`, undefined, bearer(bot.key))).status).toBe(200);
    expect((await t.api('POST', `/v1/sessions/${id}/escape`, undefined, bearer(bot.key))).status).toBe(200);
    expect((await t.api('DELETE', `/v1/sessions/${id}`, undefined, bearer(bot.key))).status).toBe(200);

    const recorded = await entries({ sessionId: id });
    expect(recorded.map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['session.create', bot.id, 'ok'],
      ['session.send', bot.id, 'ok'],
      ['session.interrupt', bot.id, 'ok'],
      ['session.escape', bot.id, 'ok'],
      ['session.exit', 'system', 'ok'],
      ['session.delete', bot.id, 'ok'],
    ]);
    const [create, send] = recorded;
    expect(create).toMatchObject({ actorName: 'ci-bot', ip: '127.0.0.1', details: { name: 'audited', prompt: { length: prompt.length, sha256: sha256(prompt) }, reused: false, status: 201 } });
    expect(send!.details).toEqual({ text: { length: text.length, sha256: sha256(text) }, status: 200 });
    expect(recorded.find((e) => e.action === 'session.exit')!.details).toMatchObject({ reason: 'deleted' });
    const all = JSON.stringify(await entries({}));
    expect(all).not.toContain(prompt);
    expect(all).not.toContain(text);
  });

  it('records refused attempts: a missing scope as denied, a missing session as failed', async () => {
    const viewer = await createKey('watcher', 'viewer');
    expect((await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, bearer(viewer.key))).status).toBe(403);
    const ghost = '00000000-0000-4000-8000-000000000000';
    expect((await t.api('POST', `/v1/sessions/${ghost}/send`, { text: 'hello' }, master)).status).toBe(404);

    expect(await entries({ actor: viewer.id })).toEqual([
      expect.objectContaining({ action: 'session.create', actorName: 'watcher', outcome: 'denied', resource: null, details: { status: 403, error: 'FORBIDDEN' } }),
    ]);
    expect(await entries({ sessionId: ghost })).toEqual([
      expect.objectContaining({ action: 'session.send', actor: 'master', actorName: null, outcome: 'failed', details: expect.objectContaining({ status: 404, error: 'SESSION_NOT_FOUND' }) }),
    ]);
  });

  it('records permission decisions once each: through the API with the caller, by a rule, by the timeout; and questions answered', async () => {
    const session = async (permissionProfile: string) => {
      const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), permissionProfile }, master);
      expect(created.status).toBe(201);
      await idle(created.body.id, master);
      return { id: created.body.id as string, secret: hookSecretOf(t.config.tmuxSocket, created.body.tmux.paneId) };
    };
    const ask = (s: { id: string; secret: string }, tool: string, input: Record<string, unknown>) =>
      callHook(t.hookUrl, 'PermissionRequest', s, { tool_name: tool, tool_input: input, permission_suggestions: [] });
    const pending = (id: string) =>
      waitFor(async () => ((await t.api('GET', `/v1/sessions/${id}/permissions`, undefined, master)).body.pending as unknown[]).length > 0, { what: 'a pending request' });
    const decisions = async (id: string) =>
      (await entries({ sessionId: id })).filter((e) => e.action.startsWith('permission.') || e.action.startsWith('question.')).map((e) => [e.action, e.actor]);

    const approved = await session('patient');
    const held = ask(approved, 'Write', { file_path: '/tmp/x', content: 'secret content' });
    await pending(approved.id);
    expect((await t.api('POST', `/v1/sessions/${approved.id}/approve`, {}, master)).status).toBe(200);
    await held;
    expect(await decisions(approved.id)).toEqual([['permission.request', 'system'], ['permission.approve', 'master']]);

    const ruled = await session('no-shell');
    await ask(ruled, 'Bash', { command: 'ls' });
    expect(await decisions(ruled.id)).toEqual([['permission.request', 'system'], ['permission.rule_decision', 'rule:no-bash']]);

    const timed = await session('quick');
    await ask(timed, 'Bash', { command: 'ls' });
    expect(await decisions(timed.id)).toEqual([['permission.request', 'system'], ['permission.timeout', 'system']]);

    const asked = await session('patient');
    const question = ask(asked, 'AskUserQuestion', { questions: [{ question: 'Which?', header: 'Q', multiSelect: false, options: [{ label: 'A', description: 'a' }, { label: 'B', description: 'b' }] }] });
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${asked.id}`, undefined, master)).body.status === 'asking', { what: 'the session to be asking' });
    expect((await t.api('POST', `/v1/sessions/${asked.id}/answer`, { answer: 'B' }, master)).status).toBe(200);
    await question;
    expect(await decisions(asked.id)).toEqual([['question.ask', 'system'], ['question.answer', 'master']]);
    expect(JSON.stringify(await entries({})), 'a tool input is never recorded').not.toContain('secret content');
  });

  it('records keys created, rotated and revoked by their administrator, and never a secret', async () => {
    const made = await createKey('rotating', 'viewer');
    const rotated = await t.api('POST', `/v1/auth/keys/${made.id}/rotate`, { graceSeconds: 0 }, master);
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.key);
    expect((await t.api('DELETE', `/v1/auth/keys/${made.id}`, undefined, master)).status).toBe(200);
    const recorded = await entries({ sessionId: made.id });
    expect(recorded.map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['key.create', 'master', 'ok'],
      ['key.rotate', 'master', 'ok'],
      ['key.revoke', 'master', 'ok'],
    ]);
    expect(recorded[0]!.details).toEqual({ name: 'rotating', role: 'viewer', status: 201 });
    const all = JSON.stringify(await entries({}));
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});

describe('the audit trail of refused credentials', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { authToken: MASTER } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records each refusal, and the one that locked the address out as auth.lockout', async () => {
    expect((await t.api('GET', '/v1/sessions')).status).toBe(401);
    for (let i = 0; i < 4; i++) expect((await t.api('GET', '/v1/sessions', undefined, bearer(`wrong-token-${i}`))).status).toBe(401);
    expect((await t.api('POST', '/v1/sessions', { workDir: '/tmp' }, bearer('wrong-token-4'))).status).toBe(429);
    expect((await t.api('GET', '/v1/audit', undefined, master)).status).toBe(429);
    // The lockout is the address's: the entries are read through the daemon's own log.
    const recorded = t.daemon.audit.repository.page({ limit: 100 }).filter((e) => e.action.startsWith('auth.'));
    expect(recorded.map((e) => [e.action, e.actor, e.outcome, e.ip, e.details.reason, e.details.route])).toEqual([
      ['auth.failure', 'anonymous', 'denied', '127.0.0.1', 'missing credentials', 'GET /v1/sessions'],
      ...Array.from({ length: 4 }, () => ['auth.failure', 'anonymous', 'denied', '127.0.0.1', 'invalid credentials', 'GET /v1/sessions']),
      ['auth.lockout', 'anonymous', 'denied', '127.0.0.1', 'invalid credentials', 'POST /v1/sessions'],
      ['auth.failure', 'anonymous', 'denied', '127.0.0.1', 'locked out', 'GET /v1/audit'],
    ]);
    expect(JSON.stringify(recorded)).not.toContain('wrong-token');
  });
});
