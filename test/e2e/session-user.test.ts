/**
 * End to end with the real Claude Code running as another Unix user (`sessionUser`): a command the
 * session runs cannot read the daemon's environment, its state dir or its tmux server, and the
 * session still works (prompt, permission, transcript). The user is created when missing: the tests
 * run as root.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSessionUser } from '../../src/cli/doctor-checks.js';
import { lookUpUser, type UnixUser } from '../../src/config/session-user.js';
import { API_KEY, CLAUDE_BIN, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

const USER = 'aegis-session-test';
const asRoot = process.getuid?.() === 0;

/** The session user, created (with a home) when this machine has none yet. */
function sessionUser(): UnixUser {
  if (!lookUpUser(USER)) execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', USER]);
  const user = lookUpUser(USER)!;
  // Claude's own config in the user's home: onboarding done, the test key approved.
  const configDir = join(user.home, '.claude');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] }, projects: {} }));
  execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, configDir]);
  return user;
}

/**
 * The Claude Code under test, where the session user can run it: a checkout in a private directory
 * (/root, a mode-700 temporary dir) is out of its reach, as the doctor says; its program is then
 * linked (or copied) into a directory of its own under /tmp.
 */
function claudeFor(user: UnixUser): { command: string; dir: string | null } {
  const asUser = (program: string) => {
    try {
      execFileSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', 'test', '-x', program]);
      return true;
    } catch {
      return false;
    }
  };
  if (asUser(CLAUDE_BIN)) return { command: CLAUDE_BIN, dir: null };
  const dir = mkdtempSync('/tmp/aegis-user-claude-');
  chmodSync(dir, 0o755);
  const command = join(dir, 'claude');
  try {
    linkSync(realpathSync(CLAUDE_BIN), command);
  } catch {
    copyFileSync(realpathSync(CLAUDE_BIN), command);
  }
  chmodSync(command, 0o755);
  if (!asUser(command)) throw new Error(`${user.name} cannot run ${command} either`);
  return { command, dir };
}

describe.runIf(asRoot)('sessions run as another Unix user', () => {
  let t: TestDaemon;
  let user: UnixUser;
  let workRoot: string;
  let claudeDir: string | null = null;
  let events: SseClient;
  beforeAll(async () => {
    user = sessionUser();
    // Work dirs the session user owns, where it can reach them.
    workRoot = mkdtempSync('/tmp/aegis-user-work-');
    chownSync(workRoot, user.uid, user.gid);
    const claude = claudeFor(user);
    claudeDir = claude.dir;
    t = await startTestDaemon({ claude: true, config: { sessionUser: USER, allowedWorkdirs: [workRoot], claudeCommand: claude.command } });
    events = await openSse(`${t.url}/v1/events`);
  });
  afterAll(async () => {
    events?.close();
    await t?.close();
    rmSync(workRoot, { recursive: true, force: true });
    if (claudeDir) rmSync(claudeDir, { recursive: true, force: true });
  });

  it('passes the doctor: the user exists, writes the work dirs, and reaches neither the state dir nor the tmux socket', async () => {
    expect(await checkSessionUser(t.config)).toMatchObject({ ok: true, detail: expect.stringContaining(`${USER} (uid ${user.uid}`) });
  });

  const session = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body;
  const untilIdle = (id: string) => waitFor(async () => (await session(id)).status === 'idle', { timeoutMs: 30_000, what: 'the session to be idle' });

  it("keeps a session's commands from the daemon's environment, state dir and tmux server, and the session works end to end", async () => {
    const workDir = join(workRoot, 'project');
    mkdirSync(workDir);
    chownSync(workDir, user.uid, user.gid);
    const created = await t.api('POST', '/v1/sessions', { workDir, prompt: 'hello as another user' });
    expect(created.status).toBe(201);
    expect(created.body.promptDelivery).toMatchObject({ delivered: true });
    const id = created.body.id as string;
    await untilIdle(id);
    const pid = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', created.body.tmux.paneId, '#{pane_pid}']).toString().trim();
    // Claude itself runs as the user, in the work dir, with the user's home.
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${user.uid}\\s+${user.uid}\\s+${user.uid}\\s+${user.uid}$`, 'm'));
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toEqual(expect.arrayContaining([`HOME=${user.home}`, `CLAUDE_CONFIG_DIR=${join(user.home, '.claude')}`]));

    // What an approved command tries, as an attacker in the session would.
    const socketPath = `/tmp/tmux-0/${t.config.tmuxSocket}`;
    const probe = [
      `cat /proc/${process.pid}/environ > environ.txt 2>&1`,
      `ls ${t.config.stateDir} > state.txt 2>&1`,
      `cat ${join(t.config.stateDir, 'aegis.db')} > db.txt 2>&1`,
      `tmux -S ${socketPath} list-sessions > tmux.txt 2>&1`,
      'id -u > uid.txt',
    ].join('; ');
    await t.api('POST', `/v1/sessions/${id}/send`, { text: `[[bash: ${probe}]]` });
    const request = await events.waitFor((e) => e.event === 'permission_request' && e.data.sessionId === id);
    expect(request.data).toMatchObject({ toolName: 'Bash', source: 'hook' });
    expect((await t.api('POST', `/v1/sessions/${id}/approve`, {})).status).toBe(200);
    await waitFor(() => existsSync(join(workDir, 'uid.txt')) && readFileSync(join(workDir, 'uid.txt'), 'utf8').trim() !== '', { timeoutMs: 15_000, what: 'the command to run' });
    expect(readFileSync(join(workDir, 'uid.txt'), 'utf8').trim()).toBe(String(user.uid));
    expect(readFileSync(join(workDir, 'environ.txt'), 'utf8')).toMatch(/Permission denied/);
    expect(readFileSync(join(workDir, 'state.txt'), 'utf8')).toMatch(/Permission denied/);
    expect(readFileSync(join(workDir, 'db.txt'), 'utf8')).toMatch(/Permission denied/);
    expect(readFileSync(join(workDir, 'tmux.txt'), 'utf8')).toMatch(/Permission denied|error connecting|no server/i);
    await untilIdle(id);

    // The daemon still reads the transcript Claude wrote in the user's home.
    const messages = (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ role: string; kind: string; text: string }>;
    expect(messages.filter((m) => m.role === 'user' && m.kind === 'text').map((m) => m.text)).toContain('hello as another user');
    expect(messages.some((m) => m.kind === 'tool_result')).toBe(true);
    expect((await t.api('DELETE', `/v1/sessions/${id}`)).status).toBe(200);
  });
});
