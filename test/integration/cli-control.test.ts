/**
 * The built `aegis` program's commands that decide and steer a session (approve, reject, answer,
 * permissions, interrupt, pane, attach, health, watch --until) against a real daemon whose sessions
 * run a stand-in that shows Claude's idle screen; permission requests and questions are hook calls
 * as Claude makes them. Also: the CLI finds the daemon through the daemon's own AEGIS_PORT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli, killClis, startCli, type CliOptions } from '../support/cli.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { callHook, hookSecretOf } from '../support/hooks.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

let scratch: string;
let t: TestDaemon;

const cli = (args: string[], options: CliOptions = {}) => runCli(args, { cwd: scratch, ...options });

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aegis-cli-control-'));
  t = await startTestDaemon({ config: { claudeCommand: standInClaude(), permissionProfiles: { patient: { rules: [] } }, defaultPermissionProfile: 'patient' } });
});

afterEach(async () => {
  killClis();
  const { body } = await t.api('GET', '/v1/sessions');
  for (const session of body.sessions) await t.api('DELETE', `/v1/sessions/${session.id}`);
});

afterAll(async () => {
  await t?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function idleSession(name = 'ctl') {
  const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), name });
  expect(created.status).toBe(201);
  const { id, tmux } = created.body as { id: string; tmux: { windowId: string; paneId: string } };
  await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
  return { id, tmux, secret: hookSecretOf(t.config.tmuxSocket, tmux.paneId) };
}

async function questionId(id: string): Promise<string> {
  return waitFor(async () => ((await t.api('GET', `/v1/sessions/${id}`)).body.pendingQuestion as { id: string } | null)?.id, { what: 'a pending question' });
}

async function pendingIds(id: string, count = 1): Promise<string[]> {
  return waitFor(async () => {
    const list = (await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending as Array<{ id: string }>;
    return list.length >= count && list.map((p) => p.id);
  }, { what: `${count} pending request(s)` });
}

const askBash = (s: { id: string; secret: string }, command: string) =>
  callHook(t.hookUrl, 'PermissionRequest', s, { tool_name: 'Bash', tool_input: { command }, permission_suggestions: [] });

const ask = (s: { id: string; secret: string }, question: string, labels: string[]) =>
  callHook(t.hookUrl, 'PermissionRequest', s, {
    tool_name: 'AskUserQuestion',
    tool_input: { questions: [{ question, header: 'Q', multiSelect: false, options: labels.map((label) => ({ label, description: `${label} it` })) }] },
    permission_suggestions: [],
  });

const decisionOf = async (held: Promise<Response>) => ((await (await held).json()) as any).hookSpecificOutput.decision;

describe('deciding permissions and questions from the command line', () => {
  it('lists pending requests of every session with their full ids, then approves one by its id', async () => {
    const a = await idleSession('one');
    const b = await idleSession('two');
    const heldA = askBash(a, 'touch a.txt');
    const heldB = askBash(b, 'touch b.txt');
    const [idA] = await pendingIds(a.id);
    const [idB] = await pendingIds(b.id);

    const all = await cli(['permissions', '--url', t.url]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`${idA}  ${a.id}  Bash touch a.txt (from the hook)`);
    expect(all.stdout).toContain(`${idB}  ${b.id}  Bash touch b.txt (from the hook)`);
    const one = await cli(['permissions', 'two', '--json', '--url', t.url]);
    expect(JSON.parse(one.stdout).pending.map((p: { id: string }) => p.id)).toEqual([idB]);

    const approved = await cli(['approve', a.id.slice(0, 8), '--permission', idA!, '--url', t.url]);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toBe(`approved Bash touch a.txt (${idA})\n`);
    expect(await decisionOf(heldA)).toMatchObject({ behavior: 'allow' });

    const rejected = await cli(['reject', b.id, '--message', 'not now', '--url', t.url]);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toBe(`rejected Bash touch b.txt (${idB})\n`);
    expect(await decisionOf(heldB)).toEqual({ behavior: 'deny', message: 'not now' });

    const none = await cli(['approve', a.id, '--url', t.url]);
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('(NOTHING_PENDING)');
  });

  it('shows a question with its numbered options and answers it by --option or by text', async () => {
    const s = await idleSession();
    const held = ask(s, 'Which colour?', ['Red', 'Blue']);
    const asked = await questionId(s.id);
    const listed = await cli(['permissions', s.id, '--url', t.url]);
    expect(listed.stdout).toBe(`${asked}  ${s.id}  question: Which colour?\n    0. Red - Red it\n    1. Blue - Blue it\n`);

    const answered = await cli(['answer', s.id, '--option', '1', '--url', t.url]);
    expect(answered.code).toBe(0);
    expect(answered.stdout).toBe(`answered Blue (${asked})\n`);
    expect(JSON.stringify(await decisionOf(held))).toContain('Blue');

    const both = await cli(['answer', s.id, 'Red', '--option', '0', '--url', t.url]);
    expect(both).toMatchObject({ code: 2, stderr: 'aegis: give either an answer or --option <n>\n' });
  });

  it('watch shows a permission request with its id and a question with its options', async () => {
    const s = await idleSession();
    const watch = startCli(['watch', s.id, '--url', t.url], { cwd: scratch });
    await waitFor(() => watch.stderr.includes('connected to'), { what: 'watch to connect' });
    const heldQ = ask(s, 'Go on?', ['Yes', 'No']);
    const asked = await questionId(s.id);
    await waitFor(() => watch.stdout.includes('question'), { what: 'the question line' });
    expect(watch.stdout).toContain(`Go on? [0. Yes / 1. No] (id ${asked})`);
    await t.api('POST', `/v1/sessions/${s.id}/answer`, { optionIndex: 0 });
    await heldQ;
    const heldP = askBash(s, 'rm -r build');
    const [permissionId] = await pendingIds(s.id);
    await waitFor(() => watch.stdout.includes('permission_request'), { what: 'the permission line' });
    expect(watch.stdout).toContain(`Bash rm -r build (from the hook; id ${permissionId})`);
    await t.api('POST', `/v1/sessions/${s.id}/reject`, {});
    await heldP;
  });
});

describe('steering a session from the command line', () => {
  it('prints the screen with pane, and interrupts', async () => {
    const s = await idleSession();
    const pane = await cli(['pane', s.id, '--url', t.url]);
    expect(pane.code).toBe(0);
    expect(pane.stdout).toContain('❯');
    expect(pane.stderr).toMatch(/^-- \d+x\d+\n$/);
    const json = await cli(['pane', s.id, '--json', '--url', t.url]);
    expect(JSON.parse(json.stdout)).toMatchObject({ text: expect.any(String), cols: expect.any(Number), rows: expect.any(Number) });

    const interrupted = await cli(['interrupt', s.id, '--json', '--url', t.url]);
    expect(interrupted.code).toBe(0);
    expect(JSON.parse(interrupted.stdout)).toMatchObject({ interrupted: expect.any(Boolean), session: { id: s.id } });
  });

  it('attach without a terminal names the tmux command to run from one', async () => {
    const s = await idleSession();
    const attached = await cli(['attach', s.id, '--url', t.url], { env: { AEGIS_TMUX_SOCKET: t.config.tmuxSocket } });
    expect(attached.code).toBe(2);
    expect(attached.stderr).toBe(`aegis: aegis attach needs a terminal; from one, run: tmux -L ${t.config.tmuxSocket} attach-session -t ${s.tmux.windowId}\n`);
  });

  it('health prints the daemon health', async () => {
    const health = await cli(['health', '--url', t.url]);
    expect(health.stdout).toMatch(/^ok: aegis \S+, up \d+s, \d+ active of \d+ sessions\ntmux healthy/);
    expect(health.code).toBe(0);
  });

  it('watch --until idle exits 0 for an idle session, and 1 when the session exits instead', async () => {
    const s = await idleSession();
    const idle = await cli(['watch', s.id, '--until', 'idle', '--url', t.url]);
    expect(idle.code).toBe(0);
    expect(idle.stderr).toContain('session is idle');

    const waiting = startCli(['watch', s.id, '--until', 'idle', '--since', '0', '--json', '--url', t.url], { cwd: scratch });
    const exited = startCli(['watch', s.id, '--until', 'exited', '--url', t.url], { cwd: scratch });
    await waitFor(() => waiting.stderr.includes('connected to') && exited.stderr.includes('connected to'), { what: 'both watches to connect' });
    // Replaying from 0 shows the session reach idle already: that run ends at once.
    expect(await waiting.exited).toBe(0);
    await t.api('DELETE', `/v1/sessions/${s.id}`);
    expect(await exited.exited).toBe(0);
    expect(exited.stderr).toContain('session exited (deleted)');

    // A session waiting on a permission is not idle; deleting it ends the wait with exit 1.
    const busy = await idleSession('busy');
    const held = askBash(busy, 'sleep 1');
    await pendingIds(busy.id);
    const untilIdle = startCli(['watch', busy.id, '--until', 'idle', '--url', t.url], { cwd: scratch });
    await waitFor(() => untilIdle.stderr.includes('connected to'), { what: 'watch to connect' });
    await t.api('DELETE', `/v1/sessions/${busy.id}`);
    expect(await untilIdle.exited).toBe(1);
    expect(untilIdle.stderr).toContain('aegis: session exited (deleted)');
    await held.catch(() => undefined);
  });

  it('watch --until needs a session id', async () => {
    const { code, stderr } = await cli(['watch', '--until', 'idle', '--url', t.url]);
    expect(code).toBe(2);
    expect(stderr).toBe('aegis: --until needs a session id\n');
  });
});

describe('finding the daemon', () => {
  it('reads AEGIS_PORT (and AEGIS_HOST), as the daemon does, when no --url or AEGIS_URL is given', async () => {
    const port = new URL(t.url).port;
    const listed = await cli(['list'], { env: { AEGIS_PORT: port, AEGIS_HOST: '127.0.0.1' } });
    expect(listed.stderr).toBe('no sessions\n');
    expect(listed.code).toBe(0);
    const wildcard = await cli(['health', '--json'], { env: { AEGIS_PORT: port, AEGIS_HOST: '0.0.0.0' } });
    expect(wildcard.code).toBe(0);
  });
});
