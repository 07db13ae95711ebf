/**
 * What callers may not do, and what a forged or odd hook call cannot do, checked against a daemon
 * whose sessions run a stand-in for Claude.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

describe('guards', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({
      captureLogs: true,
      config: { claudeCommand: standInClaude(), permissionProfiles: { strict: { rules: [] } }, allowedRequestEnv: ['LANG', 'FEATURE', 'FEATURE_FLAG', 'QUOTED'] },
      // A daemon environment with a multi-line value (a PEM key, say) must not stop sessions starting.
      env: { CI_DEPLOY_PEM: '-----BEGIN KEY-----\nabc\n-----END KEY-----', AEGIS_AUTH_TOKEN: 'daemon-only-secret-token' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const idleSession = async (body: Record<string, unknown> = {}) => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), ...body });
    expect(created.status).toBe(201);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${created.body.id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
    return created.body as { id: string; workDir: string; tmux: { paneId: string } };
  };
  const secretOf = (paneId: string) => {
    const pid = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', paneId, '#{pane_pid}']).toString().trim();
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('STAND_IN_HOOK_SECRET='))!.slice('STAND_IN_HOOK_SECRET='.length);
  };
  const hook = (event: string, id: string, secret: string, body: Record<string, unknown>) =>
    fetch(`${t.hookUrl}/v1/hooks/${event}?session=${id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': secret }, body: JSON.stringify({ hook_event_name: event, session_id: id, ...body }) });

  it('names its two listeners in the log: the hook listener is not taken for the API', () => {
    const said = t.logs.map((line) => line.msg as string);
    expect(said).toContainEqual(expect.stringMatching(/^hook listener at http:\/\/127\.0\.0\.1:\d+: for Claude Code's hooks only, not the API$/));
    expect(said).toContain(`API and dashboard at ${t.url}`);
    expect(said.some((msg) => msg.startsWith('Server listening'))).toBe(false);
  });

  it('starts sessions although the daemon environment holds a multi-line value, and passes it on', async () => {
    const s = await idleSession();
    const pid = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', s.tmux.paneId, '#{pane_pid}']).toString().trim();
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toContain('CI_DEPLOY_PEM=-----BEGIN KEY-----\nabc\n-----END KEY-----');
  });

  it("gives Claude the request's env and the daemon's, but never the daemon's own AEGIS_ settings nor the hook secret", async () => {
    const s = await idleSession({ env: { FEATURE_FLAG: 'on', QUOTED: 'a "b" $c' } });
    const pid = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', s.tmux.paneId, '#{pane_pid}']).toString().trim();
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toEqual(expect.arrayContaining(['FEATURE_FLAG=on', 'QUOTED=a "b" $c']));
    expect(environ.some((v) => v.startsWith('CLAUDE_CONFIG_DIR='))).toBe(true); // from the daemon's environment
    expect(environ.some((v) => v.startsWith('AEGIS_AUTH_TOKEN='))).toBe(false);
    expect(environ.filter((v) => v.startsWith('AEGIS_'))).toEqual([]);
    // Every command Claude runs inherits its environment, and any process of its user reads it in /proc.
    const secret = environ.find((v) => v.startsWith('STAND_IN_HOOK_SECRET='))!.slice('STAND_IN_HOOK_SECRET='.length);
    expect(environ.filter((v) => !v.startsWith('STAND_IN_HOOK_SECRET=') && v.includes(secret))).toEqual([]);
  });

  it('refuses env that would run code in Claude or its tools (BUN_OPTIONS, GIT_PAGER) with 400 ENV_NOT_ALLOWED naming them', async () => {
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), env: { BUN_OPTIONS: '--preload /tmp/evil.js', GIT_PAGER: 'sh -c evil', LANG: 'C.UTF-8' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'ENV_NOT_ALLOWED', message: expect.stringContaining('BUN_OPTIONS, GIT_PAGER'), details: { denied: ['BUN_OPTIONS', 'GIT_PAGER'] } });
    // Named by their paths, as a refused body's fields are.
    expect(res.body.error.details.issues).toEqual([
      { path: 'env.BUN_OPTIONS', message: expect.any(String) },
      { path: 'env.GIT_PAGER', message: expect.any(String) },
    ]);
  });

  it.each(['toString', 'constructor', '__proto__'])('refuses %s as a permission profile with 400', async (name) => {
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), permissionProfile: name });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('permissionProfile');
  });

  it('refuses control characters that would reach Claude as keys, and a model that is not a name', async () => {
    const s = await idleSession();
    for (const text of ['stop\u0003now', 'esc\u001b[A']) {
      const res = await t.api('POST', `/v1/sessions/${s.id}/send`, { text });
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe('text');
    }
    const model = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), model: 'x; rm -rf /' });
    expect(model.status).toBe(400);
    expect(model.body.error.details.issues[0].path).toBe('model');
  });

  it.each([
    ['U+009B (CSI), which Claude silently dropped', '\u009b'],
    ['U+0085 (NEL), which arrived as a line break', '\u0085'],
    ['U+0080', '\u0080'],
    ['U+009F', '\u009f'],
    ['U+2028 (line separator), which arrives as a line break', '\u2028'],
    ['U+2029 (paragraph separator), which arrives as a line break', '\u2029'],
  ])('refuses %s in every text that reaches the terminal, naming the field', async (_what, char) => {
    const s = await idleSession();
    const text = `before${char}after`;
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['POST', `/v1/sessions/${s.id}/send`, { text }, 'text'],
      ['POST', '/v1/sessions', { workDir: t.workDir(), prompt: text }, 'prompt'],
      ['POST', `/v1/sessions/${s.id}/reject`, { message: text }, 'message'],
      ['POST', `/v1/sessions/${s.id}/answer`, { answer: text }, 'answer'],
    ];
    // A session name is a window title, not typed text: only the C1 controls are refused there.
    if (char < '\u2000') cases.push(['POST', '/v1/sessions', { workDir: t.workDir(), name: text }, 'name']);
    for (const [method, path, body, field] of cases) {
      const res = await t.api(method, path, body);
      expect(res.status, `${path} ${field}`).toBe(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([field]);
    }
  });

  it('reuses an idle session only when mode, profile and model match and no env is asked for', async () => {
    const s = await idleSession();
    const same = await t.api('POST', '/v1/sessions', { workDir: s.workDir });
    expect(same.body).toMatchObject({ id: s.id, reused: true });
    for (const body of [{ permissionMode: 'plan' }, { permissionProfile: 'strict' }, { model: 'claude-haiku-4-5' }, { env: { FEATURE: '1' } }]) {
      const other = await t.api('POST', '/v1/sessions', { workDir: s.workDir, ...body });
      expect(other.status).toBe(201);
      expect(other.body.id).not.toBe(s.id);
      await t.api('DELETE', `/v1/sessions/${other.body.id}`);
    }
  });

  it('never lets a reported tool run approve a held permission request', async () => {
    const s = await idleSession();
    const secret = secretOf(s.tmux.paneId);
    const held = hook('PermissionRequest', s.id, secret, { tool_name: 'Bash', tool_input: { command: 'rm -rf /tmp/x' }, permission_suggestions: [] });
    const pending = await waitFor(async () => {
      const list = (await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body.pending;
      return list.length ? list : undefined;
    }, { what: 'the request to be pending' });
    expect((await hook('PostToolUse', s.id, secret, { tool_name: 'Bash', tool_input: { command: 'git status' } })).status).toBe(200);
    expect((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body.pending).toEqual(pending);
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('permission_prompt');
    await t.api('POST', `/v1/sessions/${s.id}/reject`, { message: 'no' });
    expect(await (await held).json()).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'no' } } });
  });

  it('refuses a hook body nested 20 000 deep with 400 before it reaches the session, which made every session listing answer 500', async () => {
    const s = await idleSession();
    const other = await idleSession();
    const deep = `{"hook_event_name":"PermissionRequest","session_id":"${s.id}","tool_name":"Bash","tool_input":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    let answer: Response | undefined;
    const call = fetch(`${t.hookUrl}/v1/hooks/PermissionRequest?session=${s.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': secretOf(s.tmux.paneId) }, body: deep });
    call.then((res) => (answer = res)).catch(() => {});
    // Either the call is answered, or (the defect) it is held as a permission that breaks every listing.
    await waitFor(async () => answer ?? (await t.api('GET', `/v1/sessions/${s.id}/permissions`)).status === 500, { what: 'the hook call to be answered' });
    expect(answer?.status).toBe(400);
    expect((await answer!.json()).error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/nested deeper than 64/) });
    const list = await t.api('GET', '/v1/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([s.id, other.id]));
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ status: 'idle', pendingPermission: null });
    expect((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body).toEqual({ pending: [] });
  });

  it('refuses a hook body over 4 MiB with 413 before it reaches the session', async () => {
    const s = await idleSession();
    const res = await hook('PreToolUse', s.id, secretOf(s.tmux.paneId), { tool_name: 'Write', tool_input: { file_path: '/tmp/x', content: 'x'.repeat(4 * 1024 * 1024) } });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('idle');
  });

  it("keeps listing every other session when one session's data cannot be serialised", async () => {
    const s = await idleSession();
    const other = await idleSession();
    const cyclic: Record<string, unknown> = { command: 'true' };
    cyclic.self = cyclic;
    // Straight to the core: data the HTTP bounds would have refused, standing for any that slips through.
    const held = t.daemon.supervisor.handleHook('PermissionRequest', s.id, secretOf(s.tmux.paneId), { tool_name: 'Bash', tool_input: cyclic });
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${s.id}`)).status !== 200 || undefined, { what: 'the request to be pending' });
    const list = await t.api('GET', '/v1/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions.find((x: { id: string }) => x.id === other.id)).toMatchObject({ id: other.id, status: 'idle' });
    expect(list.body.sessions.find((x: { id: string }) => x.id === s.id)).toMatchObject({ id: s.id, error: { code: 'INTERNAL' } });
    expect((await t.api('GET', `/v1/sessions/${other.id}`)).status).toBe(200);
    expect((await t.api('DELETE', `/v1/sessions/${s.id}`)).status).toBeLessThan(500);
    await held;
  });

  it('does not follow a transcript path outside the session\'s projects directory', async () => {
    const s = await idleSession();
    // A readable conversation elsewhere, where a hook body names it: nothing of it may be read.
    const elsewhere = join(t.workDir(), 'elsewhere.jsonl');
    writeFileSync(elsewhere, `${JSON.stringify({ type: 'user', uuid: 'u1', timestamp: 't', message: { role: 'user', content: 'not this session\'s' } })}\n`);
    for (const path of ['/etc', '/etc/passwd.jsonl', elsewhere, `${s.workDir}/../${s.id}.jsonl`]) {
      const res = await hook('Stop', s.id, secretOf(s.tmux.paneId), { transcript_path: path });
      expect(res.status).toBe(200);
      expect(t.logs).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/^refused a transcript path/), path, sessionId: s.id }));
    }
    const read = await t.api('GET', `/v1/sessions/${s.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.messages).toEqual([]);
    expect((await t.api('GET', `/v1/sessions/${s.id}/health`)).body.transcript).toEqual({ readable: true, problem: null });
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
  });
});
