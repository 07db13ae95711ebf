/**
 * The built `aegis` program, run as a child process against real daemons (no Claude: sessions run a
 * stand-in program that just waits). Checks what scripts rely on: stdout, one-line errors on stderr
 * and the documented exit codes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli, killClis, startCli as startCliIn, type CliOptions, type CliRun } from '../support/cli.js';
import { freePort, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { idleBody, standInScript } from '../support/stand-in.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';
import { waitFor } from '../support/wait-for.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STACK_LINE = /^\s+at /m;
/** Timing that keeps a never-ready session from holding a test for a minute. */
const FAST = { readyTimeoutMs: 300, killGraceMs: 300 };

let scratch: string;
let standIn: string;

/** The program run in the scratch dir, where relative work dirs resolve. */
function startCli(args: string[], options: CliOptions = {}): CliRun {
  return startCliIn(args, { cwd: scratch, ...options });
}

async function cli(args: string[], options: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, { cwd: scratch, ...options });
}

beforeAll(() => {
  // The CLI runs from dist/, which the suite's global setup builds from the current sources.
  scratch = mkdtempSync(join(tmpdir(), 'aegis-cli-'));
  standIn = join(scratch, 'stand-in-claude.sh');
  writeFileSync(standIn, '#!/bin/sh\n# Takes Claude\'s place in the pane: accepts any arguments and waits.\nexec sleep 600\n');
  chmodSync(standIn, 0o755);
}, 120_000);

afterEach(killClis);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('aegis client commands', () => {
  let td: TestDaemon;
  beforeAll(async () => {
    td = await startTestDaemon({ claude: false, config: { claudeCommand: standIn, allowedRequestEnv: ['A'] }, timing: FAST });
  });
  afterAll(async () => {
    await td.close();
  });
  afterEach(async () => {
    const { body } = await td.api('GET', '/v1/sessions');
    for (const session of body.sessions) await td.api('DELETE', `/v1/sessions/${session.id}`);
  });

  it('prints the empty session list as the API JSON with --json', async () => {
    const { code, stdout, stderr } = await cli(['list', '--json', '--url', td.url]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ sessions: [] });
  });

  it('takes the daemon URL from AEGIS_URL', async () => {
    const { code, stderr } = await cli(['list'], { env: { AEGIS_URL: td.url } });
    expect(code).toBe(0);
    expect(stderr).toContain('no sessions');
  });

  it('fails with exit 1 and a message naming workDir when the directory does not exist', async () => {
    const { code, stdout, stderr } = await cli(['create', 'no-such-dir', '--url', td.url]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`aegis: workDir ${join(scratch, 'no-such-dir')} does not exist (INVALID_REQUEST)\n`);
  });

  it('creates a session, lists it, reads it and kills it by an id prefix', async () => {
    const workDir = td.workDir();
    const created = await cli(['create', workDir, '--name', 'cli-one', '--env', 'A=1=2', '--max-cost-usd', '1.25', '--max-tokens', '50000', '--wait', '0', '--url', td.url]);
    expect(created.stderr).toContain('started session cli-one');
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(UUID);
    expect((await td.api('GET', `/v1/sessions/${id}`)).body).toMatchObject({ maxCostUsd: 1.25, maxTokens: 50000 });
    const prefix = id.slice(0, 8);

    const listed = await cli(['list', '--url', td.url]);
    expect(listed.code).toBe(0);
    const [header, row] = listed.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+STATUS\s+WORKDIR\s+AGE$/);
    expect(row).toMatch(new RegExp(`^${id}\\s+cli-one\\s+starting\\s+${workDir}\\s+\\d+s$`));

    const read = await cli(['read', prefix, '--json', '--url', td.url]);
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ messages: [], nextCursor: '0' });

    const killed = await cli(['kill', prefix, '--url', td.url]);
    expect(killed.code).toBe(0);
    expect(killed.stdout).toBe(`killed ${prefix} (cli-one)\n`);
    expect((await td.api('GET', '/v1/sessions')).body.sessions).toEqual([]);
  });

  it('exits 4 when sending to a session that does not exist, by full id or by prefix', async () => {
    const byId = await cli(['send', '00000000-0000-4000-8000-000000000000', 'hello', '--url', td.url]);
    expect(byId.code).toBe(4);
    expect(byId.stderr).toMatch(/^aegis: .*\(SESSION_NOT_FOUND\)\n$/);
    const byPrefix = await cli(['send', 'ffff', 'hello', '--url', td.url]);
    expect(byPrefix.code).toBe(4);
    expect(byPrefix.stderr).toBe('aegis: no session matches "ffff" (see aegis list)\n');
  });

  it('exits 5 when the session never became ready for input', async () => {
    const created = await td.api('POST', '/v1/sessions', { workDir: td.workDir() });
    expect(created.status).toBe(201);
    const { code, stderr } = await cli(['send', created.body.id, '-', '--url', td.url], { input: 'hello from stdin\n' });
    expect(stderr).toContain('(SESSION_NOT_READY)');
    expect(code).toBe(5);
  });

  it('prints the id but exits 1 when the session started and its prompt was not delivered', async () => {
    const { code, stdout, stderr } = await cli(['create', td.workDir(), '--prompt', 'hello', '--url', td.url]);
    expect(stdout.trim()).toMatch(UUID);
    expect(stderr).toContain('prompt NOT delivered');
    expect(stderr).toMatch(/^aegis: the session started but the prompt was not delivered: .*\n$/m);
    expect(code).toBe(1);
  });

  it('exits 2 for bad usage: an empty stdin message, a bad option value, an unknown command', async () => {
    const empty = await cli(['send', 'abc', '--url', td.url], { input: '' });
    expect(empty).toMatchObject({ code: 2, stderr: 'aegis: the message read from stdin is empty\n' });
    const badStatus = await cli(['list', '--status', 'sleeping', '--url', td.url]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/^aegis: option '--status <status>' argument 'sleeping' is invalid/);
    const badLimit = await cli(['read', 'abc', '--limit', '0', '--url', td.url]);
    expect(badLimit.code).toBe(2);
    const unknown = await cli(['lst']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^aegis: unknown command 'lst'/);
  });

  it('exits 3 when nothing listens at --url', async () => {
    const port = await freePort();
    const { code, stderr } = await cli(['list', '--url', `http://127.0.0.1:${port}`]);
    expect(code).toBe(3);
    expect(stderr).toMatch(new RegExp(`^aegis: cannot reach the Aegis daemon at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`));
  });

  it('watch connects and stops cleanly with --max-events 0', async () => {
    const { code, stdout, stderr } = await cli(['watch', '--max-events', '0', '--url', td.url]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toBe(`connected to ${td.url}/v1/events\n`);
  });

  it('watch follows until interrupted, then exits 0', async () => {
    const watch = startCli(['watch', '--url', td.url]);
    await waitFor(() => watch.stderr.includes('connected to'), { what: 'watch to connect' });
    watch.child.kill('SIGINT');
    expect(await watch.exited).toBe(0);
  });

  it('watch exits 4 for an unknown session', async () => {
    const { code, stderr } = await cli(['watch', '00000000-0000-4000-8000-000000000000', '--max-events', '0', '--url', td.url]);
    expect(code).toBe(4);
    expect(stderr).toContain('(SESSION_NOT_FOUND)');
  });

  it('watch prints events as lines, or as JSON lines with --json, and stops after --max-events', async () => {
    const workDir = td.workDir();
    const created = await td.api('POST', '/v1/sessions', { workDir, name: 'watched' });
    const id: string = created.body.id;

    const human = await cli(['watch', id.slice(0, 8), '--since', '0', '--max-events', '1', '--url', td.url]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d session_created\\s+${id.slice(0, 8)} watched in ${workDir}\\n$`));

    const json = await cli(['watch', id, '--since', '0', '--max-events', '1', '--json', '--url', td.url]);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'session_created', sessionId: id });
  });
});

describe("a new user's first sessions", () => {
  let td: TestDaemon;
  beforeAll(async () => {
    // Claude's stand-in gives up at once in a work dir named "dies" (as Claude does offline before its
    // onboarding is done), and otherwise shows its idle prompt.
    const claude = standInScript(`case "$PWD" in *dies*) echo 'Unable to connect to Anthropic services'; sleep 1; exit 3;; esac\n${idleBody()}`);
    td = await startTestDaemon({ claude: false, config: { claudeCommand: claude } });
  });
  afterAll(async () => {
    await td.close();
  });

  it('create without a prompt waits until Claude is ready, then exits 0', async () => {
    const { code, stdout, stderr } = await cli(['create', td.workDir(), '--name', 'ready', '--url', td.url]);
    expect(stdout.trim()).toMatch(UUID);
    expect(stderr).toMatch(/^session ready is idle: ready for aegis send [0-9a-f]{8}$/m);
    expect(code).toBe(0);
  });

  it('create exits 1 with the reason and the hint when the session ends before it is ready, and list shows why it ended', async () => {
    const { code, stdout, stderr } = await cli(['create', td.workDir('dies-1'), '--name', 'doomed', '--url', td.url]);
    const id = stdout.trim();
    expect(id).toMatch(UUID);
    expect(stderr).toMatch(/^aegis: session doomed did not start: it ended \(start_failed(, exit code 3)?\): Claude Code could not reach its service .*hasCompletedOnboarding/m);
    expect(stderr).not.toContain('aegis send');
    expect(code).toBe(1);

    const listed = await cli(['list', '--url', td.url]);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+doomed\\s+exited \\(start_failed\\)\\s+`, 'm'));
    expect(listed.stderr).toMatch(new RegExp(`^${id.slice(0, 8)} \\(doomed\\) it ended \\(start_failed.*\\): Claude Code could not reach its service`, 'm'));
  });

  it('create with a prompt never advises a retry with aegis send for a session that ended', async () => {
    const { code, stderr } = await cli(['create', td.workDir('dies-2'), '--prompt', 'hello', '--url', td.url]);
    expect(stderr).toContain('start_failed');
    expect(stderr).not.toContain('aegis send');
    expect(stderr).toMatch(/^aegis: the prompt was not delivered: .*; it ended \(start_failed.*\): Claude Code could not reach its service/m);
    expect(stderr).not.toContain('the session it ended');
    expect(code).not.toBe(0);
  });
});

describe('aegis send to a Claude that never takes the text', () => {
  let td: TestDaemon;
  beforeAll(async () => {
    // The stand-in shows Claude's idle prompt and never takes what is typed: no delivery is confirmed.
    td = await startTestDaemon({ claude: false, config: { claudeCommand: standInScript(idleBody()) }, timing: { deliveryAttemptMs: 300, deliveryAttempts: 2 } });
  });
  afterAll(async () => {
    await td.close();
  });

  it('exits 1 when the message was not delivered, saying it may still arrive; --json prints the result and exits 1 too', async () => {
    const created = await cli(['create', td.workDir(), '--url', td.url]);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();

    const human = await cli(['send', id, 'hello', '--url', td.url]);
    expect(human.stdout).toBe('not delivered after 2 attempts\n');
    expect(human.stderr).toMatch(/^aegis: the message was not delivered: .*it may still arrive.*aegis read [0-9a-f]{8}.*\n$/);
    expect(human.stderr).not.toContain('Idempotency-Key');
    expect(human.code).toBe(1);

    const json = await cli(['send', id, 'hello again', '--url', td.url, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ delivered: false, attempts: 2, mayArriveLater: true });
    expect(json.stderr).toMatch(/^aegis: the message was not delivered/);
    expect(json.code).toBe(1);
  });

  it('create with a prompt that may still arrive says to look before sending it again, not to retry', async () => {
    const { code, stderr } = await cli(['create', td.workDir('prompted'), '--prompt', 'hello', '--url', td.url]);
    expect(stderr).toMatch(/^aegis: the session started but the prompt was not delivered: .*it may still arrive.*aegis read [0-9a-f]{8}.*\n$/m);
    expect(stderr).not.toContain('Idempotency-Key');
    expect(stderr).not.toContain('retry with aegis send');
    expect(code).toBe(1);
  });
});

describe('aegis with a daemon that requires a token', () => {
  const token = 'cli-test-token-0123456789';
  let td: TestDaemon;
  beforeAll(async () => {
    td = await startTestDaemon({ claude: false, config: { authToken: token } });
  });
  afterAll(async () => {
    await td.close();
  });

  it('exits 6 without the token and succeeds with --token or AEGIS_TOKEN', async () => {
    const denied = await cli(['list', '--url', td.url]);
    expect(denied.code).toBe(6);
    expect(denied.stderr).toMatch(/\(UNAUTHORIZED\)\n$/);
    expect((await cli(['list', '--json', '--url', td.url, '--token', token])).code).toBe(0);
    expect((await cli(['watch', '--max-events', '0', '--url', td.url], { env: { AEGIS_TOKEN: token } })).code).toBe(0);
  });

  it('sends the daemon its own token (AEGIS_AUTH_TOKEN, AEGIS_AUTH_TOKEN_FILE) when found through its configuration, never to a --url', async () => {
    const port = String(td.daemon.port);
    const fromEnv = await cli(['list', '--json'], { env: { AEGIS_PORT: port, AEGIS_AUTH_TOKEN: token } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    const tokenFile = join(scratch, 'daemon-token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const fromFile = await cli(['list', '--json'], { env: { AEGIS_PORT: port, AEGIS_AUTH_TOKEN_FILE: tokenFile } });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect((await cli(['list'], { env: { AEGIS_PORT: port, AEGIS_AUTH_TOKEN: token, AEGIS_TOKEN: 'wrong-token-0123456789' } })).code).toBe(6);
    expect((await cli(['list', '--url', td.url], { env: { AEGIS_AUTH_TOKEN: token } })).code).toBe(6);
  });

  it('creates a key (its secret alone on stdout), lists it without the secret, rotates and revokes it', async () => {
    const env = { env: { AEGIS_TOKEN: token } };
    const created = await cli(['keys', 'create', 'ci-bot', '--role', 'viewer', '--max-sessions', '2', '--budget-usd', '2.5', '--max-cost-usd', '0.5', '--max-tokens', '100000', '--url', td.url], env);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^aeg_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/created key_[0-9a-f]+ \(ci-bot\): sessions:read, metrics:read/);
    const id = /created (key_[0-9a-f]+)/.exec(created.stderr)![1]!;
    expect((await cli(['list', '--url', td.url, '--token', secret])).code).toBe(0);
    const listed = await cli(['keys', 'list', '--url', td.url], env);
    expect(listed.stdout).toContain(id);
    const shown = (await td.api('GET', '/v1/auth/keys', undefined, { authorization: `Bearer ${token}` })).body.keys.find((k: { id: string }) => k.id === id);
    expect(shown).toMatchObject({ maxSessions: 2, budgetUsd: 2.5, maxCostUsd: 0.5, maxTokens: 100000 });
    expect(listed.stdout).not.toContain(secret);
    const rotated = await cli(['keys', 'rotate', id, '--grace-seconds', '0', '--url', td.url], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect((await cli(['list', '--url', td.url, '--token', secret])).code).toBe(6);
    expect((await cli(['keys', 'revoke', id, '--url', td.url], env)).stdout).toContain(`revoked ${id}`);
    expect((await cli(['list', '--url', td.url, '--token', rotated.stdout.trim()])).code).toBe(6);
    expect((await cli(['keys', 'create', 'x', '--url', td.url], env)).code).toBe(2);
  });
});

describe('aegis watch across a daemon restart', () => {
  let td: TestDaemon;
  beforeAll(async () => {
    td = await startTestDaemon({ claude: false, config: { claudeCommand: standIn }, timing: FAST });
  });
  afterAll(async () => {
    await td.close();
  });

  it('reconnects with Last-Event-ID and receives what happened while it was away', async () => {
    const watch = startCli(['watch', '--since', '0', '--max-events', '1', '--json', '--url', td.url]);
    await waitFor(() => watch.stderr.includes('connected to'), { what: 'watch to connect' });
    await td.stop();
    await waitFor(() => watch.stderr.includes('reconnecting in'), { what: 'watch to notice the disconnect' });
    await td.restart();
    const created = await td.api('POST', '/v1/sessions', { workDir: td.workDir() });
    expect(created.body.error ?? null).toBeNull();
    expect(created.status).toBe(201);

    expect(await watch.exited).toBe(0);
    expect(JSON.parse(watch.stdout)).toMatchObject({ type: 'session_created', sessionId: created.body.id });
    expect(watch.stderr).toContain(`reconnected to ${td.url}/v1/events`);
    await td.api('DELETE', `/v1/sessions/${created.body.id}`);
  });
});

describe('aegis doctor', () => {
  let td: TestDaemon;
  let stateDir: string;
  let home: string;
  beforeAll(async () => {
    td = await startTestDaemon({ claude: false });
  });
  afterAll(async () => {
    await td.close();
  });
  /** A HOME whose Claude Code has done its onboarding, an API key, and a state dir not yet made. */
  const doctorEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    home = mkdtempSync(join(scratch, 'doctor-home-'));
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
    stateDir = join(home, 'state');
    return { HOME: home, ANTHROPIC_API_KEY: 'sk-ant-api03-doctor-test-0123456789abcdefghij', AEGIS_STATE_DIR: stateDir, ...extra };
  };
  /** Every path under `dir` with its size and modification time. */
  const snapshot = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((path) => {
      const stat = statSync(join(dir, path));
      return `${path} ${stat.size} ${stat.mtimeMs}`;
    });

  it('passes every check, counting a daemon that answers at --url as fine for the port, and makes nothing', async () => {
    const env = doctorEnv({ AEGIS_CLAUDE_COMMAND: process.execPath, AEGIS_PORT: String(td.daemon.port) });
    const before = snapshot(home);
    const { code, stdout } = await cli(['doctor', '--json', '--url', td.url], { env });
    const report = JSON.parse(stdout);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(['config', 'tmux', 'claude', 'login', 'onboarding', 'dialogs', 'workdirs', 'sqlite', 'state dir', 'session user', 'port']);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(report.checks[10].detail).toContain(`already answers at ${td.url}`);
    // The socket is named after the state dir.
    expect(report.checks[1].detail).toMatch(/^tmux \d.*, socket aegis-[0-9a-f]{8} \(watch the sessions with: tmux -L aegis-[0-9a-f]{8} attach\)$/);
    expect(report.checks[8].detail).toBe(`${stateDir} does not exist yet: the daemon makes it (mode 0700) when it starts`);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(snapshot(home)).toEqual(before);
  });

  it("fails on a new machine with what Claude Code lacks and the fix for each, making nothing", async () => {
    const env = doctorEnv({ AEGIS_CLAUDE_COMMAND: process.execPath, AEGIS_PORT: String(await freePort()), ANTHROPIC_API_KEY: '' });
    env.AEGIS_ALLOWED_WORKDIRS = join(home, 'repos');
    rmSync(join(home, '.claude.json'));
    const before = snapshot(home);
    const { code, stdout, stderr } = await cli(['doctor', '--url', td.url], { env });
    expect(stdout).toMatch(/^FAIL {2}login {9}no API key or login for Claude Code: .*\n {20}hint: set ANTHROPIC_API_KEY/m);
    expect(stdout).toMatch(new RegExp(`^FAIL {2}onboarding {4}.*${home}/\\.claude\\.json does not exist.*\\n {20}hint: .*\\n {20}fix: {2}node -e '.*' ${home}/\\.claude\\.json$`, 'm'));
    expect(stdout).toContain(`fix:  mkdir -p ${home}/repos`);
    expect(stderr).toBe('aegis: 3 checks of 11 failed\n');
    expect(code).toBe(1);
    expect(snapshot(home)).toEqual(before);
  });

  it("checks no Claude files for a session user that does not exist: they would be another user's", async () => {
    const env = doctorEnv({ AEGIS_CLAUDE_COMMAND: process.execPath, AEGIS_PORT: String(await freePort()), AEGIS_SESSION_USER: 'no-such-user-here' });
    const { code, stdout } = await cli(['doctor', '--json', '--url', td.url], { env });
    const report = JSON.parse(stdout);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(['config', 'tmux', 'claude', 'workdirs', 'sqlite', 'state dir', 'session user', 'port']);
    expect(report.checks[6]).toMatchObject({ ok: false, detail: 'no-such-user-here is not a user of this system' });
    expect(code).toBe(1);
  });

  it('reports a configuration the daemon would refuse, and checks nothing else on defaults', async () => {
    const env = doctorEnv({ AEGIS_CONFIG: join(scratch, 'no-such-config.json') });
    const { code, stdout } = await cli(['doctor', '--json', '--url', td.url], { env });
    const report = JSON.parse(stdout);
    expect(report.checks).toEqual([{ name: 'config', ok: false, detail: expect.stringContaining('AEGIS_CONFIG names'), hint: expect.stringContaining('the daemon would not start') }]);
    expect(code).toBe(1);
  });

  it('fails with a hint and exit 1 when the Claude command cannot run', async () => {
    const env = doctorEnv({ AEGIS_CLAUDE_COMMAND: join(scratch, 'no-claude-here'), AEGIS_PORT: String(await freePort()) });
    const { code, stdout, stderr } = await cli(['doctor', '--url', td.url], { env });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL\s+claude\s+.*not found\n\s+hint: .*AEGIS_CLAUDE_COMMAND/m);
    expect(stdout).toMatch(/^ok\s+port\s+127\.0\.0\.1:\d+ is free$/m);
    expect(stderr).toBe('aegis: 1 check of 11 failed\n');
  });
});

describe('aegis serve', () => {
  const sockets = [uniqueSocket('aegis-cli'), uniqueSocket('aegis-cli'), uniqueSocket('aegis-cli')];
  afterAll(() => {
    for (const socket of sockets) killTmuxServer(socket);
  });

  it('runs until SIGTERM, and a second daemon on the same port or state dir exits 1 with one line', async () => {
    const port = await freePort();
    const stateDir = join(scratch, 'serve-state');
    mkdirSync(stateDir);
    const env = { AEGIS_STATE_DIR: stateDir, AEGIS_PORT: String(port), AEGIS_TMUX_SOCKET: sockets[0], AEGIS_LOG_LEVEL: 'warn' };
    const first = startCli(['serve'], { env });
    // The daemon answers "degraded" until its tmux connection is up; wait for "ok".
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/health`);
      return res.ok && ((await res.json()) as { status: string }).status === 'ok';
    }, { what: 'the daemon to report itself healthy' });

    const samePort = await cli(['serve', '--state-dir', join(scratch, 'serve-state-2')], { env: { ...env, AEGIS_TMUX_SOCKET: sockets[1] } });
    expect(samePort.code).toBe(1);
    expect(samePort.stderr).toMatch(/^aegis: EADDRINUSE: 127\.0\.0\.1:\d+ is already in use.*\n$/);
    expect(samePort.stderr).not.toMatch(STACK_LINE);

    const sameStateDir = await cli([], { env: { ...env, AEGIS_PORT: '0' } });
    expect(sameStateDir.code).toBe(1);
    expect(sameStateDir.stderr).toMatch(new RegExp(`^aegis: another Aegis daemon \\(pid ${first.child.pid}\\) already uses this state dir.*\\n$`));

    const badConfig = await cli(['serve'], { env: { ...env, AEGIS_PORT: 'not-a-port' } });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toMatch(/^aegis: invalid configuration: AEGIS_PORT: .*\n$/);

    process.kill(first.child.pid!, 'SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(stateDir, 'aegis.pid'))).toBe(false);
  });

  it('ends the sessions it runs when stopped with --kill-sessions-on-exit', async () => {
    const port = await freePort();
    const env = { AEGIS_STATE_DIR: join(scratch, 'serve-kill-state'), AEGIS_TMUX_SOCKET: sockets[2], AEGIS_LOG_LEVEL: 'warn', AEGIS_CLAUDE_COMMAND: standIn };
    const daemon = startCli(['serve', '--port', String(port), '--kill-sessions-on-exit'], { env });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await cli(['list', '--url', url])).code === 0, { what: 'the daemon to answer' });
    const workDir = join(scratch, 'serve-kill-work');
    mkdirSync(workDir);
    const created = await cli(['create', workDir, '--name', 'doomed', '--wait', '0', '--url', url]);
    expect(created.code).toBe(0);
    expect(tmuxWindowNames(sockets[2]!)).toContain('doomed');

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(tmuxWindowNames(sockets[2]!)).not.toContain('doomed');
  });
});

describe('aegis writing to a reader that went away', () => {
  it('stops quietly, exit 0, when its output is closed (aegis --help | head -1)', async () => {
    const run = startCli(['--help']);
    // The reader is gone before the help is written: every write to the pipe fails with EPIPE.
    run.child.stdout!.destroy();
    expect(await run.exited).toBe(0);
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

/** Window names on a tmux server; none when the server is gone. */
function tmuxWindowNames(socket: string): string[] {
  try {
    return execFileSync('tmux', ['-L', socket, 'list-windows', '-a', '-F', '#{window_name}'], { encoding: 'utf8' }).split('\n');
  } catch {
    return [];
  }
}
