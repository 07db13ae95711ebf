/**
 * Permission dialogs Aegis finds only on the screen (docs/permissions.md, "When there is no hook"),
 * shown against the fake Claude, which asks for a Bash command with Claude's own four-option dialog
 * and never calls its PermissionRequest hook: when such a dialog is listed, which key each decision
 * types, what rules may decide from the screen, and a person answering at the terminal.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClaudeCommand, fakeClaudeLog, submitted } from '../support/fake-claude.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

describe('a permission dialog seen only on the screen', () => {
  let t: TestDaemon;
  let events: SseClient;
  beforeAll(async () => {
    t = await startTestDaemon({
      config: {
        claudeCommand: fakeClaudeCommand(),
        allowedRequestEnv: ['FAKE_CLAUDE_SCRIPT'],
        permissionProfiles: {
          screen: {
            rules: [
              { name: 'no-rm', tool: 'Bash', match: '*rm -rf *', decision: 'deny', message: 'Not here.' },
              { name: 'tests', tool: 'Bash', match: 'npm test*', decision: 'allow' },
            ],
          },
        },
      },
    });
    events = await openSse(`${t.url}/v1/events`);
  });
  afterAll(async () => {
    events?.close();
    await t?.close();
  });

  /** A session whose fake Claude asks for `command` on its screen; resolves once the dialog shows. */
  const asking = async (command: string, body: Record<string, unknown> = {}) => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir, ...body });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const log = () => fakeClaudeLog(workDir, id);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the fake Claude to be idle' });
    expect((await t.api('POST', `/v1/sessions/${id}/send`, { text: `[[bash: ${command}]]` })).body).toMatchObject({ delivered: true });
    const shown = await waitFor(() => log().find((e) => e.event === 'dialog'), { what: 'the dialog' });
    return { id, workDir, log, shownAt: shown.at, paneId: created.body.tmux.paneId as string };
  };
  const answers = (log: ReturnType<typeof fakeClaudeLog>) => log.filter((e) => e.event === 'dialog-answer').map((e) => e.data);
  const ran = (log: ReturnType<typeof fakeClaudeLog>) => log.filter((e) => e.event === 'tool-run').map((e) => e.text);
  const replied = (s: { log: () => ReturnType<typeof fakeClaudeLog> }) => waitFor(() => s.log().find((e) => e.event === 'reply'), { timeoutMs: 30_000, what: 'the turn to end' });
  const event = (type: string, id: string) => events.waitFor((e) => e.event === type && e.data.sessionId === id);

  it('lists the dialog once it has stayed a second, with the command the screen shows whole, and approving types 1', async () => {
    const s = await asking('ls -la');
    const request = await event('permission_request', s.id);
    expect(request.data.permission).toMatchObject({
      toolName: 'Bash',
      toolInput: { command: 'ls -la' },
      source: 'screen',
      suggestions: [],
      screen: {
        options: ['Yes', `Yes, and always allow access to ${s.workDir} from this project`, 'Yes, and switch to auto mode · auto mode handles these prompts for you', 'No'],
        inputComplete: true,
      },
    });
    expect(Date.parse(request.data.createdAt) - s.shownAt).toBeGreaterThanOrEqual(1000);
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('permission_prompt');
    expect((await t.api('POST', `/v1/sessions/${s.id}/approve`, {})).status).toBe(200);
    await replied(s);
    expect(answers(s.log())).toEqual(['1']);
    expect(ran(s.log())).toEqual(['ls -la']);
    expect((await event('permission_resolved', s.id)).data).toMatchObject({ decision: 'allow', by: 'api' });
  });

  // screen.title holds the title and, below it, the dialog's whole text ("Bash command\nrun a
  // command\nls -la"): the key Aegis tells dialogs apart by, not the title docs/permissions.md names.
  it('names the dialog by its title in screen.title, what it says in screen.detail', async () => {
    const s = await asking('uname -a');
    const request = await event('permission_request', s.id);
    await t.api('POST', `/v1/sessions/${s.id}/reject`, {});
    expect(request.data.permission.screen.title).toBe('Bash command');
    expect(request.data.permission.screen.detail).toContain('uname -a');
  });

  it('approves with always: true by the remembering Yes, never the option that switches Claude to another mode', async () => {
    const s = await asking('make build');
    await event('permission_request', s.id);
    expect((await t.api('POST', `/v1/sessions/${s.id}/approve`, { always: true })).status).toBe(200);
    await replied(s);
    expect(answers(s.log())).toEqual(['2']);
  });

  it('rejects by typing No, then types the message as the answer Claude is given', async () => {
    const s = await asking('touch nope');
    await event('permission_request', s.id);
    expect((await t.api('POST', `/v1/sessions/${s.id}/reject`, { message: 'Leave the files alone.' })).status).toBe(200);
    await waitFor(() => submitted(s.log()).includes('Leave the files alone.'), { what: 'the message to reach Claude' });
    expect(answers(s.log())).toEqual(['4']);
    expect(ran(s.log())).toEqual([]);
    expect((await event('permission_resolved', s.id)).data).toMatchObject({ decision: 'deny', by: 'api', message: 'Leave the files alone.' });
  });

  it('lets a deny rule decide a dialog read off the screen: No is typed and nothing runs', async () => {
    const s = await asking('rm -rf build', { permissionProfile: 'screen' });
    const resolved = await event('permission_resolved', s.id);
    expect(resolved.data).toMatchObject({ decision: 'deny', by: 'rule', rule: 'no-rm' });
    await replied(s);
    expect(answers(s.log())).toEqual(['4']);
    expect(ran(s.log())).toEqual([]);
  });

  it('lets an allow rule approve a dialog read off the screen when the screen shows the whole command', async () => {
    const s = await asking('npm test', { permissionProfile: 'screen' });
    const resolved = await event('permission_resolved', s.id);
    expect(resolved.data).toMatchObject({ decision: 'allow', by: 'rule', rule: 'tests' });
    await replied(s);
    expect(answers(s.log())).toEqual(['1']);
    expect(ran(s.log())).toEqual(['npm test']);
  });

  it('says by:"terminal" when a person answers the dialog by hand', async () => {
    const s = await asking('date', { env: { FAKE_CLAUDE_SCRIPT: 'turn-ms=1500' } });
    const request = await event('permission_request', s.id);
    execFileSync('tmux', ['-L', t.config.tmuxSocket, 'send-keys', '-t', s.paneId, '1']);
    const resolved = await event('permission_resolved', s.id);
    expect(resolved.data).toMatchObject({ permissionId: request.data.permissionId, decision: 'allow', by: 'terminal' });
    expect((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body.pending).toEqual([]);
    await replied(s);
    expect(ran(s.log())).toEqual(['date']);
  });
});
