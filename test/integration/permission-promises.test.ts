/**
 * What docs/permissions.md and docs/api.md promise about permission requests and questions, shown
 * with hook calls as Claude makes them (the session runs a stand-in; its secret comes from its
 * environment, as any program in the session could read it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AegisEvent } from '../../src/events/event-bus.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { callHook, hookSecretOf } from '../support/hooks.js';
import { openSse } from '../support/sse.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';
import { DEFAULT_TIMING } from '../../src/sessions/timing.js';

const SCREENS = join(import.meta.dirname, '..', 'fixtures', 'screens');

const PROFILES = {
  'no-shell': { rules: [{ name: 'no-bash', tool: 'Bash', decision: 'deny' as const, message: 'No shell here.' }] },
  quick: { rules: [], timeoutMs: 1000, onTimeout: 'deny' as const },
  lenient: { rules: [], timeoutMs: 1000, onTimeout: 'allow' as const },
  patient: { rules: [] },
};

describe('permission requests and questions', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), permissionProfiles: PROFILES, defaultPermissionProfile: 'no-shell' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const session = async (body: Record<string, unknown> = {}) => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), ...body });
    expect(created.status).toBe(201);
    const { id, tmux } = created.body as { id: string; tmux: { paneId: string } };
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
    return { id, paneId: tmux.paneId, secret: hookSecretOf(t.config.tmuxSocket, tmux.paneId), permissionProfile: created.body.permissionProfile as string | null };
  };
  const pending = (id: string, count = 1) =>
    waitFor(async () => {
      const list = (await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending as Array<{ id: string; toolName: string }>;
      return list.length >= count && list;
    }, { what: `${count} pending request(s)` });
  const askBash = (s: { id: string; secret: string }, command: string, signal?: AbortSignal) =>
    callHook(t.hookUrl, 'PermissionRequest', s, { tool_name: 'Bash', tool_input: { command }, permission_suggestions: [] }, signal);
  const statusOf = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body.status as string;
  /** Draws a captured Claude screen in the pane, as Claude would (written to the pane's terminal). */
  const draw = (paneId: string, fixture: string) => {
    const tty = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', paneId, '#{pane_tty}']).toString().trim();
    writeFileSync(tty, `\x1b[2J\x1b[H${readFileSync(join(SCREENS, fixture), 'utf8').replace(/\n$/, '')}`);
  };
  const question = (text: string, labels: string[]) => ({
    tool_name: 'AskUserQuestion',
    tool_input: { questions: [{ question: text, header: 'Q', multiSelect: false, options: labels.map((label) => ({ label, description: label })) }] },
    permission_suggestions: [],
  });

  it('applies the default permission profile to a session that names none', async () => {
    const s = await session();
    expect(s.permissionProfile).toBe('no-shell');
    const answer = await (await askBash(s, 'ls')).json();
    expect(answer).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'No shell here.' } } });
  });

  it('answers 409 SESSION_BUSY to a send while a permission request is open', async () => {
    const s = await session({ permissionProfile: 'quick' });
    const held = askBash(s, 'touch x');
    await pending(s.id);
    const sent = await t.api('POST', `/v1/sessions/${s.id}/send`, { text: 'hello' });
    expect(sent.status).toBe(409);
    expect(sent.body.error.code).toBe('SESSION_BUSY');
    await t.api('POST', `/v1/sessions/${s.id}/reject`, {});
    await held;
  });

  it('answers 404 PERMISSION_NOT_FOUND for an unknown permission id, and 409 NOTHING_PENDING with none', async () => {
    const s = await session({ permissionProfile: 'quick' });
    const none = await t.api('POST', `/v1/sessions/${s.id}/approve`, {});
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('NOTHING_PENDING');
    const held = askBash(s, 'touch y');
    await pending(s.id);
    const unknown = await t.api('POST', `/v1/sessions/${s.id}/approve`, { permissionId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PERMISSION_NOT_FOUND');
    await t.api('POST', `/v1/sessions/${s.id}/approve`, {});
    expect((await (await held).json()).hookSpecificOutput.decision.behavior).toBe('allow');
  });

  it('leaves the status to the screen when Claude gives up on its hook before the request opens', async () => {
    const s = await session({ permissionProfile: 'quick' });
    const given = t.daemon.supervisor.handleHook('PermissionRequest', s.id, s.secret, { hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'touch gone' } }, AbortSignal.abort());
    expect(given).not.toBe(false);
    expect(await given).toMatchObject({ hookSpecificOutput: { decision: { behavior: 'deny' } } });
    expect(await statusOf(s.id)).toBe('idle');
    expect((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body.pending).toEqual([]);
  });

  it("stops holding the session with a hook request Claude's screen never shows, which stays listed and decidable", async () => {
    const s = await session();
    const forged = callHook(t.hookUrl, 'PermissionRequest', s, { tool_name: 'Write', tool_input: { file_path: '/tmp/x', content: 'x' }, permission_suggestions: [] });
    const [request] = await pending(s.id);
    expect(await statusOf(s.id)).toBe('permission_prompt');
    expect((await t.api('POST', `/v1/sessions/${s.id}/send`, { text: 'hello' })).body.error.code).toBe('SESSION_BUSY');
    // The screen showed no dialog for it: past the bound, the upkeep lets the status follow the screen.
    t.daemon.supervisor.tick(Date.now() + DEFAULT_TIMING.unseenRequestMs);
    await waitFor(async () => (await statusOf(s.id)) === 'idle', { what: 'the status to follow the idle screen' });
    expect((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body.pending).toMatchObject([{ id: request!.id, source: 'hook' }]);
    expect((await t.api('POST', `/v1/sessions/${s.id}/reject`, { message: 'not yours' })).status).toBe(200);
    expect((await (await forged).json()).hookSpecificOutput.decision).toEqual({ behavior: 'deny', message: 'not yours' });
    expect(await statusOf(s.id)).toBe('idle');
  });

  it('keeps a hook request the screen shows as a dialog holding the session, however long it waits', async () => {
    const s = await session({ permissionProfile: 'patient' });
    const held = callHook(t.hookUrl, 'PermissionRequest', s, { tool_name: 'Bash', tool_input: { command: 'ls -la' }, permission_suggestions: [] });
    await pending(s.id);
    draw(s.paneId, 'permission-bash.txt');
    const live = t.daemon.supervisor.sessionById(s.id);
    await waitFor(() => live.reapFacts().unseenRequestSince === null, { what: 'the screen to show the dialog' });
    t.daemon.supervisor.tick(Date.now() + 10 * DEFAULT_TIMING.unseenRequestMs);
    await live.readScreen();
    expect(await statusOf(s.id)).toBe('permission_prompt');
    expect((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body.pending).toMatchObject([{ source: 'hook', toolName: 'Bash' }]);
    expect((await t.api('POST', `/v1/sessions/${s.id}/approve`, {})).status).toBe(200);
    expect((await (await held).json()).hookSpecificOutput.decision).toEqual({ behavior: 'allow' });
  });

  it('decides a request once when the timeout and an API decision race', async () => {
    const events = await openSse(`${t.url}/v1/events`);
    const s = await session({ permissionProfile: 'quick' });
    const held = askBash(s, 'touch z');
    const [request] = await pending(s.id);
    // A burst of approvals lands right around the moment the timeout (1 s) decides: one decision wins.
    const expiresAt = Date.parse((await t.api('GET', `/v1/sessions/${s.id}`)).body.pendingPermission.expiresAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() - 15)));
    const approving = Promise.all(
      Array.from({ length: 20 }, () => t.api('POST', `/v1/sessions/${s.id}/approve`, { permissionId: request!.id }).then((res) => ({ status: res.status, code: res.body.error?.code }))),
    );
    const answer = await (await held).json();
    const answers = await approving;
    const resolved = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.permissionId === request!.id);
    events.close();
    // The rule (docs/permissions.md): each request is decided exactly once. The first decision is the
    // one published and the one Claude is told; every later one is refused as no longer pending.
    expect(events.events.filter((e) => e.event === 'permission_resolved' && e.data.permissionId === request!.id)).toHaveLength(1);
    const accepted = answers.filter((a) => a.status === 200);
    const expected =
      accepted.length === 1
        ? { decision: 'allow', by: 'api', answer: { behavior: 'allow' } }
        : { decision: 'deny', by: 'timeout', answer: { behavior: 'deny', message: 'No decision within 1 s; denied by Aegis.' } };
    expect(accepted.length).toBeLessThanOrEqual(1);
    expect(resolved.data).toMatchObject({ decision: expected.decision, by: expected.by });
    expect(answer.hookSpecificOutput.decision).toEqual(expected.answer);
    expect(answers.filter((a) => a.status !== 200)).toEqual(Array(20 - accepted.length).fill({ status: 404, code: 'PERMISSION_NOT_FOUND' }));
  });

  it('says a request ended by:"terminal" when Claude stops waiting for its hook, and by:"session_ended" when the session ends', async () => {
    const events = await openSse(`${t.url}/v1/events`);
    const s = await session({ permissionProfile: 'quick' });
    const gaveUp = new AbortController();
    const first = askBash(s, 'touch a', gaveUp.signal).catch(() => null);
    const [request] = await pending(s.id);
    gaveUp.abort();
    await first;
    const terminal = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.permissionId === request!.id);
    expect(terminal.data).toMatchObject({ decision: 'deny', by: 'terminal' });
    // Nothing waits any more: the status follows the screen, which shows Claude idle.
    await waitFor(async () => (await statusOf(s.id)) === 'idle', { what: 'the session to be idle again' });

    const second = askBash(s, 'touch b');
    const [next] = await pending(s.id);
    await t.api('DELETE', `/v1/sessions/${s.id}`);
    const ended = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.permissionId === next!.id);
    events.close();
    expect(ended.data).toMatchObject({ decision: 'deny', by: 'session_ended' });
    expect((await (await second).json()).hookSpecificOutput.decision.behavior).toBe('deny');
  });

  it('holds several questions at once and answers each by its id', async () => {
    const s = await session({ permissionProfile: 'quick' });
    const first = callHook(t.hookUrl, 'PermissionRequest', s, question('Which database?', ['SQLite', 'Postgres']));
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${s.id}`)).body.pendingQuestion, { what: 'the first question' });
    const second = callHook(t.hookUrl, 'PermissionRequest', s, question('Which cache?', ['Redis', 'None']));
    const session2 = await waitFor(async () => {
      const body = (await t.api('GET', `/v1/sessions/${s.id}`)).body;
      return body.status === 'asking' && body;
    }, { what: 'the session to be asking' });
    expect(session2.pendingQuestion.question).toBe('Which database?');
    // The second is answered first, by its id; then the oldest, without one.
    const events = await openSse(`${t.url}/v1/sessions/${s.id}/events?lastEventId=0`);
    const asked = await waitFor(() => {
      const questions = events.events.filter((e) => e.event === 'question').map((e) => e.data);
      return questions.length === 2 && questions;
    }, { what: 'both question events' });
    events.close();
    const cache = asked.find((q) => q.question === 'Which cache?');
    expect((await t.api('POST', `/v1/sessions/${s.id}/answer`, { questionId: cache.questionId, optionIndex: 1 })).status).toBe(200);
    expect((await t.api('POST', `/v1/sessions/${s.id}/answer`, { answer: 'Postgres' })).status).toBe(200);
    const answers = await Promise.all([first, second].map(async (res) => (await (await res).json()).hookSpecificOutput.decision.updatedInput.answers));
    expect(answers).toEqual([{ 'Which database?': 'Postgres' }, { 'Which cache?': 'None' }]);
  });

  it('publishes a request a rule decides, its permission_resolved right after, and never shows it as permission_prompt', async () => {
    const events = await openSse(`${t.url}/v1/events`);
    const s = await session();
    await (await askBash(s, 'ls -la')).json();
    const resolved = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.sessionId === s.id);
    events.close();
    const mine = events.events.filter((e) => e.data.sessionId === s.id);
    const at = mine.indexOf(resolved);
    expect(mine[at - 1]).toMatchObject({ event: 'permission_request', data: { permissionId: resolved.data.permissionId, toolName: 'Bash', toolInput: { command: 'ls -la' }, source: 'hook' } });
    expect(resolved.data).toMatchObject({ kind: 'permission', toolName: 'Bash', decision: 'deny', by: 'rule', rule: 'no-bash', message: 'No shell here.' });
    expect(mine.filter((e) => e.event === 'status_changed').map((e) => e.data.to)).not.toContain('permission_prompt');
  });

  it('tells Claude "Denied through Aegis." when a rejection gives no message', async () => {
    const s = await session({ permissionProfile: 'quick' });
    const held = askBash(s, 'touch denied');
    await pending(s.id);
    expect((await t.api('POST', `/v1/sessions/${s.id}/reject`, {})).status).toBe(200);
    expect(await (await held).json()).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'Denied through Aegis.' } } });
  });

  it("allows an unanswered request when its profile's onTimeout is allow", async () => {
    const events = await openSse(`${t.url}/v1/events`);
    const s = await session({ permissionProfile: 'lenient' });
    const answer = await (await askBash(s, 'touch allowed')).json();
    expect(answer.hookSpecificOutput.decision).toEqual({ behavior: 'allow' });
    const resolved = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.sessionId === s.id);
    events.close();
    expect(resolved.data).toMatchObject({ decision: 'allow', by: 'timeout' });
  });

  it('applies one answer to each of several questions asked in one request', async () => {
    const events = await openSse(`${t.url}/v1/events`);
    const s = await session();
    const both = {
      tool_name: 'AskUserQuestion',
      tool_input: {
        questions: [
          { question: 'Which database?', header: 'DB', multiSelect: false, options: [{ label: 'SQLite', description: 'file' }, { label: 'Postgres', description: 'server' }] },
          { question: 'Which cache?', header: 'Cache', multiSelect: false, options: [{ label: 'None', description: 'none' }, { label: 'Redis', description: 'server' }] },
        ],
      },
      permission_suggestions: [],
    };
    const held = callHook(t.hookUrl, 'PermissionRequest', s, both);
    const asked = await events.waitFor((e) => e.event === 'question' && e.data.sessionId === s.id);
    events.close();
    expect(asked.data.questions.map((q: { question: string }) => q.question)).toEqual(['Which database?', 'Which cache?']);
    const answered = await t.api('POST', `/v1/sessions/${s.id}/answer`, { optionIndex: 1 });
    expect(answered.body.answers).toEqual({ 'Which database?': 'Postgres', 'Which cache?': 'Redis' });
    const decision = (await (await held).json()).hookSpecificOutput.decision;
    expect(decision).toEqual({ behavior: 'allow', updatedInput: { ...both.tool_input, answers: { 'Which database?': 'Postgres', 'Which cache?': 'Redis' } } });
  });

  it('never reaps a session waiting on a question as idle', async () => {
    const s = await session({ idleTimeoutMs: 1000 });
    const idle = await session({ idleTimeoutMs: 1000 });
    const held = callHook(t.hookUrl, 'PermissionRequest', s, question('Keep me?', ['Yes', 'No']));
    await waitFor(async () => (await statusOf(s.id)) === 'asking', { what: 'the session to be asking' });
    draw(s.paneId, 'question.txt');
    await waitFor(() => t.daemon.supervisor.sessionById(s.id).reapFacts().unseenRequestSince === null, { what: 'the screen to show the question' });
    t.daemon.supervisor.tick(Date.now() + 3_600_000);
    // The same tick reaps the idle session: once it has exited, the asking one would have too.
    await waitFor(async () => (await statusOf(idle.id)) === 'exited', { what: 'the idle session to be reaped' });
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ status: 'asking', exit: null });
    await t.api('POST', `/v1/sessions/${s.id}/answer`, { optionIndex: 0 });
    await held;
  });

  // Last: it stops the daemon.
  it('decides nothing when the daemon stops: a held request is answered 503 SHUTTING_DOWN, never published as decided, and listed again after the restart', async () => {
    const s = await session({ permissionProfile: 'patient' });
    const held = callHook(t.hookUrl, 'PermissionRequest', s, { tool_name: 'Bash', tool_input: { command: 'ls -la' }, permission_suggestions: [] });
    await pending(s.id);
    const published: AegisEvent[] = [];
    t.daemon.bus.subscribe((event) => published.push(event));
    await t.stop();
    expect(published.filter((e) => e.type === 'permission_resolved')).toEqual([]);
    // Claude hears no decision, only that the daemon is stopping, so it falls back to its own dialog.
    const answer = await held;
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('2');
    expect((await answer.json()).error.code).toBe('SHUTTING_DOWN');
    await t.restart();
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.status).not.toBe('exited');
    // The dialog Claude draws instead is the request again, for whoever decides after the restart.
    draw(s.paneId, 'permission-bash.txt');
    expect(await pending(s.id)).toMatchObject([{ source: 'screen', toolName: 'Bash' }]);
  });
});
