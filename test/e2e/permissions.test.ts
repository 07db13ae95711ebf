/**
 * End to end with the real Claude Code: tool calls Claude asks permission for are decided through
 * the API, by policy rules, by the timeout, and after a daemon restart through the screen.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AegisEvent } from '../../src/events/event-bus.js';
import { DEFAULT_TIMING } from '../../src/sessions/timing.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

const outside = mkdtempSync(join(tmpdir(), 'aegis-outside-'));
const secretFile = join(outside, 'secret.txt');
writeFileSync(secretFile, 'outside the workdir\n');

describe('permissions decided through the API', () => {
  let t: TestDaemon;
  let events: SseClient;
  beforeAll(async () => {
    t = await startTestDaemon({
      claude: true,
      config: {
        permissionProfiles: {
          ci: {
            rules: [
              { tool: ['Read', 'Glob', 'Grep'], decision: 'allow' },
              { name: 'no-rm', tool: 'Bash', match: '*rm -rf *', decision: 'deny', message: 'Deleting trees is not allowed here.' },
            ],
          },
          quick: { rules: [], timeoutMs: 2000, onTimeout: 'deny' },
        },
      },
    });
    events = await openSse(`${t.url}/v1/events`);
  });
  afterAll(async () => {
    events?.close();
    await t?.close();
  });

  const session = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body;
  const messages = async (id: string) => (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ role: string; kind: string; text: string; toolName?: string; isError?: boolean }>;
  const untilIdle = (id: string) => waitFor(async () => (await session(id)).status === 'idle', { timeoutMs: 30_000, what: 'the session to be idle' });
  const start = async (body: Record<string, unknown> = {}) => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir, ...body });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, workDir };
  };

  it('holds a Bash call until it is approved, then runs it', async () => {
    const { id, workDir } = await start();
    const sent = Date.now();
    await t.api('POST', `/v1/sessions/${id}/send`, { text: 'please [[bash: echo approved > out.txt]]' });
    const request = await events.waitFor((e) => e.event === 'permission_request' && e.data.sessionId === id);
    const hookToEvent = Date.now() - sent;
    expect(request.data.permission).toMatchObject({ sessionId: id, toolName: 'Bash', toolInput: { command: 'echo approved > out.txt' }, source: 'hook' });
    expect(request.data).toMatchObject({ toolName: 'Bash', toolInput: { command: 'echo approved > out.txt' }, source: 'hook', expiresAt: expect.any(String) });
    const pending = await t.api('GET', `/v1/sessions/${id}/permissions`);
    expect(pending.body.pending).toHaveLength(1);
    expect(pending.body.pending[0]).toMatchObject({ id: request.data.permissionId, toolName: 'Bash', suggestions: expect.any(Array), expiresAt: expect.any(String) });
    const s = await session(id);
    expect(s.status).toBe('permission_prompt');
    expect(s.pendingPermission.id).toBe(request.data.permissionId);
    // Claude draws its dialog while it holds the hook: the request is its own, and keeps holding the session.
    const live = t.daemon.supervisor.sessionById(id);
    await waitFor(() => live.reapFacts().unseenRequestSince === null, { what: 'the screen to show the dialog' });
    t.daemon.supervisor.tick(Date.now() + 10 * DEFAULT_TIMING.unseenRequestMs);
    await live.readScreen();
    expect((await session(id)).status).toBe('permission_prompt');
    expect(existsSync(join(workDir, 'out.txt'))).toBe(false);

    const approvedAt = Date.now();
    const approved = await t.api('POST', `/v1/sessions/${id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body.permission.id).toBe(request.data.permissionId);
    await waitFor(() => existsSync(join(workDir, 'out.txt')), { what: 'the command to run' });
    const approveToRun = Date.now() - approvedAt;
    expect(readFileSync(join(workDir, 'out.txt'), 'utf8')).toBe('approved\n');
    const resolved = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.permissionId === request.data.permissionId);
    expect(resolved.data).toMatchObject({ decision: 'allow', by: 'api' });
    await untilIdle(id);
    await waitFor(async () => (await messages(id)).some((m) => m.kind === 'tool_result' && m.toolName === 'Bash'), { what: 'the tool result' });
    expect((await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending).toEqual([]);
    expect((await t.api('POST', `/v1/sessions/${id}/approve`, {})).status).toBe(409);
    console.log(`permission timings: send to permission_request ${hookToEvent} ms, approve to the command's file ${approveToRun} ms`);
  });

  it('rejects with a message Claude is told, and nothing runs', async () => {
    const { id, workDir } = await start();
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[bash: echo nope > rejected.txt]]' });
    const request = await events.waitFor((e) => e.event === 'permission_request' && e.data.sessionId === id);
    const rejected = await t.api('POST', `/v1/sessions/${id}/reject`, { permissionId: request.data.permissionId, message: 'Not in this repository.' });
    expect(rejected.status).toBe(200);
    await untilIdle(id);
    expect(existsSync(join(workDir, 'rejected.txt'))).toBe(false);
    await waitFor(async () => (await messages(id)).some((m) => m.kind === 'tool_result' && m.text.includes('Not in this repository.')), { what: 'Claude to be told' });
  });

  it('lets a profile allow Read and deny a dangerous Bash without anyone, naming the rule', async () => {
    const { id, workDir } = await start({ permissionProfile: 'ci' });
    expect((await session(id)).permissionProfile).toBe('ci');
    await t.api('POST', `/v1/sessions/${id}/send`, { text: `[[read: ${secretFile}]]` });
    const allowed = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.sessionId === id && e.data.toolName === 'Read');
    expect(allowed.data).toMatchObject({ decision: 'allow', by: 'rule', rule: 'ci#1' });
    await untilIdle(id);
    await waitFor(async () => (await messages(id)).some((m) => m.kind === 'tool_result' && m.text.includes('outside the workdir')), { what: 'the file to be read' });

    writeFileSync(join(workDir, 'keep.txt'), 'keep');
    await t.api('POST', `/v1/sessions/${id}/send`, { text: `[[bash: rm -rf ${workDir}/*]]` });
    const denied = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.sessionId === id && e.data.toolName === 'Bash');
    expect(denied.data).toMatchObject({ decision: 'deny', by: 'rule', rule: 'no-rm' });
    await untilIdle(id);
    expect(existsSync(join(workDir, 'keep.txt'))).toBe(true);
    const statuses = events.events.filter((e) => e.event === 'status_changed' && e.data.sessionId === id).map((e) => e.data.to);
    expect(statuses).not.toContain('permission_prompt');
  });

  it('decides an unanswered request with the configured timeout outcome', async () => {
    const { id, workDir } = await start({ permissionProfile: 'quick' });
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[bash: echo late > late.txt]]' });
    const request = await events.waitFor((e) => e.event === 'permission_request' && e.data.sessionId === id);
    const resolved = await events.waitFor((e) => e.event === 'permission_resolved' && e.data.permissionId === request.data.permissionId, 10_000);
    expect(resolved.data).toMatchObject({ decision: 'deny', by: 'timeout' });
    await untilIdle(id);
    expect(existsSync(join(workDir, 'late.txt'))).toBe(false);
  });

  it('answers a question by index and by label, and the transcript shows the answers', async () => {
    const { id } = await start();
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[ask: Which database should I use?|SQLite|Postgres]]' });
    const asked = await events.waitFor((e) => e.event === 'question' && e.data.sessionId === id);
    expect(asked.data).toMatchObject({ questionId: expect.any(String), question: 'Which database should I use?', options: [{ label: 'SQLite' }, { label: 'Postgres' }] });
    const s = await session(id);
    expect(s.status).toBe('asking');
    expect(s.pendingQuestion.question).toBe('Which database should I use?');
    expect((await t.api('POST', `/v1/sessions/${id}/answer`, { optionIndex: 5 })).status).toBe(400);
    const byIndex = await t.api('POST', `/v1/sessions/${id}/answer`, { optionIndex: 1 });
    expect(byIndex.body.answers).toEqual({ 'Which database should I use?': 'Postgres' });
    await untilIdle(id);

    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[ask: Which cache?|Redis|Memcached]]' });
    await events.waitFor((e) => e.event === 'question' && e.data.sessionId === id && e.data.question === 'Which cache?');
    await t.api('POST', `/v1/sessions/${id}/answer`, { answer: 'memcached' });
    await untilIdle(id);
    const results = (await messages(id)).filter((m) => m.kind === 'tool_result').map((m) => m.text);
    expect(results.join('\n')).toContain('"Which database should I use?"="Postgres"');
    expect(results.join('\n')).toContain('"Which cache?"="Memcached"');
  });

  it("keeps a session's hook secret from the commands it runs: not in Claude's environment, its settings file gone once Claude is up, its hooks still working", async () => {
    const { id, workDir } = await start();
    await untilIdle(id);
    // Claude read its settings at start and does not read them again: the file that held the secret goes.
    await waitFor(() => !existsSync(join(t.config.stateDir, 'sessions', id, 'settings.json')), { what: 'the settings file to be removed' });
    const pid = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', (await session(id)).tmux.paneId, '#{pane_pid}']).toString().trim();
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((v) => v.startsWith('AEGIS_'))).toEqual([]);

    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[bash: env > env.txt]]' });
    const request = await events.waitFor((e) => e.event === 'permission_request' && e.data.sessionId === id);
    // Claude's hooks carry the secret it read at start: the request came through the hook, not the screen.
    expect(request.data).toMatchObject({ toolName: 'Bash', source: 'hook' });
    expect((await t.api('POST', `/v1/sessions/${id}/approve`, {})).status).toBe(200);
    await waitFor(() => existsSync(join(workDir, 'env.txt')), { timeoutMs: 15_000, what: 'the command to run' });
    expect(readFileSync(join(workDir, 'env.txt'), 'utf8')).not.toMatch(/AEGIS_|x-aegis/i);
    await untilIdle(id);

    const forged = await t.hookApi('POST', `/v1/hooks/Stop?session=${id}`, { hook_event_name: 'Stop', session_id: id }, { 'x-aegis-hook-secret': 'a'.repeat(43) });
    expect(forged.status).toBe(401);
  });
});

describe('a permission request pending across a daemon restart', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is found again on the screen after the restart and can be approved', async () => {
    const workDir = t.workDir();
    const id = (await t.api('POST', '/v1/sessions', { workDir })).body.id as string;
    const events = await openSse(`${t.url}/v1/sessions/${id}/events`);
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[bash: echo survived > restart.txt]]' });
    await events.waitFor((e) => e.event === 'permission_request');
    events.close();

    // A stop decides nothing: the held request is left to the next start.
    const published: AegisEvent[] = [];
    t.daemon.bus.subscribe((event) => published.push(event));
    await t.stop();
    expect(published.filter((e) => e.type === 'permission_resolved')).toEqual([]);
    await t.restart();

    const pending = await waitFor(async () => {
      const list = (await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending;
      return list.length > 0 ? list : undefined;
    }, { timeoutMs: 15_000, what: 'the dialog to be found on the screen' });
    expect(pending[0]).toMatchObject({ source: 'screen', toolName: 'Bash', toolInput: { command: 'echo survived > restart.txt' } });
    expect((await t.api('GET', `/v1/sessions/${id}`)).body.status).toBe('permission_prompt');
    expect((await t.api('POST', `/v1/sessions/${id}/approve`, {})).status).toBe(200);
    await waitFor(() => existsSync(join(workDir, 'restart.txt')), { timeoutMs: 15_000, what: 'the command to run' });
  });

  it('finds a question on the screen after a restart and answers it with keys', async () => {
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    const events = await openSse(`${t.url}/v1/sessions/${id}/events`);
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[ask: Which editor?|Vim|Emacs|Nano]]' });
    await events.waitFor((e) => e.event === 'question');
    events.close();

    await t.stop();
    await t.restart();

    const question = await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.pendingQuestion ?? undefined, { timeoutMs: 15_000, what: 'the question to be found on the screen' });
    expect(question).toMatchObject({ source: 'screen', question: 'Which editor?', options: [{ label: 'Vim' }, { label: 'Emacs' }, { label: 'Nano' }] });
    expect((await t.api('POST', `/v1/sessions/${id}/answer`, { optionIndex: 2 })).status).toBe(200);
    await waitFor(async () => {
      const messages = (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ kind: string; text: string }>;
      return messages.some((m) => m.kind === 'tool_result' && m.text.includes('"Which editor?"="Nano"'));
    }, { timeoutMs: 15_000, what: 'the answer in the transcript' });
  });

  it('passes the permission mode through, bypassPermissions included', async () => {
    const plan = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), permissionMode: 'acceptEdits' });
    expect(plan.body.permissionMode).toBe('acceptEdits');
    const bypass = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), permissionMode: 'bypassPermissions' });
    for (const id of [plan.body.id, bypass.body.id]) {
      await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { timeoutMs: 20_000, what: 'the session to be idle' });
    }
    expect((await t.api('GET', `/v1/sessions/${plan.body.id}/pane`)).body.text).toMatch(/accept edits on/);
    expect((await t.api('GET', `/v1/sessions/${bypass.body.id}/pane`)).body.text).toMatch(/bypass permissions on/);
  });
});
