/**
 * Every route, walked with hostile input: tmux format strings (`#(…)`, `#{…}`), flag-like text (`-v`,
 * `--help`), control characters, 10 MB bodies, 20 000-deep JSON, `..` and symlinked work dirs and odd
 * ids. Each answer is the documented 4xx in the error envelope, or a 2xx where the input is
 * legitimately fine, with no side effect (no file touched by tmux); the daemon answers /v1/health after
 * every group. Sessions run the scriptable fake Claude, which logs every key it reads, so a test sees
 * exactly what reached it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClaudeCommand, fakeClaudeLog, keysReceived, pastedKeys, submitted } from '../support/fake-claude.js';
import { rawExchange } from '../support/raw-http.js';
import { waitFor } from '../support/wait-for.js';

describe('hostile input on every route', () => {
  let t: TestDaemon;
  let scratch: string;
  let allowed: string;
  let outside: string;
  /** Files that a `#(touch …)` would create if tmux ran it: one per test, so one failure does not spill into the next. */
  let markers = 0;
  let marker: string;
  /** An idle session every group may aim at; groups that must not change it check that it is still idle. */
  let s: { id: string; tmux: { windowId: string; paneId: string } };

  beforeAll(async () => {
    // The allowed root must be known before the daemon starts: a directory of the test's own.
    scratch = mkdtempSync(join(tmpdir(), 'aegis-hostile-'));
    allowed = join(scratch, 'allowed');
    outside = join(scratch, 'outside');
    mkdirSync(allowed);
    mkdirSync(outside);
    t = await startTestDaemon({ config: { claudeCommand: fakeClaudeCommand(), allowedWorkdirs: [allowed] }, timing: { transcriptSettleMs: 200 } });
    s = await idleSession(dirIn('main'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  function dirIn(name: string): string {
    const dir = join(allowed, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async function idleSession(workDir: string, body: Record<string, unknown> = {}) {
    const created = await t.api('POST', '/v1/sessions', { workDir, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${created.body.id}`)).body.status === 'idle', { what: 'the fake Claude to look idle' });
    return created.body;
  }

  const secretOf = (paneId: string) => {
    const pid = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', paneId, '#{pane_pid}']).toString().trim();
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('STAND_IN_HOOK_SECRET='))!.slice('STAND_IN_HOOK_SECRET='.length);
  };
  const hook = (event: string, id: string, secret: string, body: string) =>
    fetch(`${t.hookUrl}/v1/hooks/${event}?session=${id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': secret }, body });
  const windowName = (windowId: string) => execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', windowId, '#{window_name}']).toString().replace(/\n$/, '');

  function expectError(res: { status: number; body: any }, status: number, code: string, what = ''): void {
    expect(res.status, `${what} ${JSON.stringify(res.body).slice(0, 300)}`).toBe(status);
    expect(res.body, what).toEqual({ error: { code, message: expect.any(String), ...(res.body?.error?.details ? { details: expect.any(Object) } : {}) } });
  }

  beforeEach(() => {
    marker = join(outside, `touched-${++markers}`);
  });

  async function expectAlive(): Promise<void> {
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.status).not.toBe('exited');
    expect(existsSync(marker), `tmux ran ${marker}`).toBe(false);
  }

  /** Every route that takes a session id, with a body where it takes one. */
  const idRoutes = (id: string): Array<[string, string, unknown?]> => [
    ['GET', `/v1/sessions/${id}`],
    ['GET', `/v1/sessions/${id}/read`],
    ['GET', `/v1/sessions/${id}/pane`],
    ['GET', `/v1/sessions/${id}/permissions`],
    ['GET', `/v1/sessions/${id}/health`],
    ['GET', `/v1/sessions/${id}/events`],
    ['POST', `/v1/sessions/${id}/send`, { text: 'hello' }],
    ['POST', `/v1/sessions/${id}/interrupt`],
    ['POST', `/v1/sessions/${id}/escape`],
    ['POST', `/v1/sessions/${id}/approve`, {}],
    ['POST', `/v1/sessions/${id}/reject`, {}],
    ['POST', `/v1/sessions/${id}/answer`, { answer: 'yes' }],
    ['DELETE', `/v1/sessions/${id}`],
  ];

  /** Every route that reads a body. */
  const bodyRoutes = (): Array<[string, string]> => [
    ['POST', '/v1/sessions'],
    ['POST', `/v1/sessions/${s.id}/send`],
    ['POST', `/v1/sessions/${s.id}/interrupt`],
    ['POST', `/v1/sessions/${s.id}/escape`],
    ['POST', `/v1/sessions/${s.id}/approve`],
    ['POST', `/v1/sessions/${s.id}/reject`],
    ['POST', `/v1/sessions/${s.id}/answer`],
    ['DELETE', `/v1/sessions/${s.id}`],
  ];

  describe('tmux format strings and flag-like text', () => {
    // Until tmux arguments are escaped and ended with `--`, these fail: the name and work dir are
    // expanded by tmux (running `#(…)`), and `send-keys` takes text that starts with `-` as a flag.
    it.each(['#(touch MARKER)', '#{pane_id}', '-v', '--help'])('starts a session named %s with the name echoed exactly, in tmux too', async (raw) => {
      const name = raw.replace('MARKER', marker);
      const created = await idleSession(dirIn(`named-${Buffer.from(raw).toString('hex')}`), { name });
      expect(created.name).toBe(name);
      expect((await t.api('GET', `/v1/sessions/${created.id}`)).body.name).toBe(name);
      expect(windowName(created.tmux.windowId)).toBe(name);
      await t.api('DELETE', `/v1/sessions/${created.id}`);
      await expectAlive();
    });

    it.each(['#(touch MARKER)', '#{pane_id}', '--help'])('starts a session in a work dir named %s with the work dir echoed exactly', async (raw) => {
      // A directory name holds no '/': the marker's path is spelled in octal for the shell tmux would run.
      const workDir = dirIn(raw.replace('MARKER', `"$(printf '${marker.replaceAll('/', '\\057')}')"`));
      const created = await idleSession(workDir);
      expect(created.workDir).toBe(workDir);
      const cwd = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', created.tmux.paneId, '#{pane_current_path}']).toString().replace(/\n$/, '');
      expect(cwd).toBe(workDir);
      await t.api('DELETE', `/v1/sessions/${created.id}`);
      await expectAlive();
    });

    it.each(['-v', '--help', '-l', '#(touch MARKER)', '#{pane_id}', '-- -t %0'])('delivers the text %s literally', async (raw) => {
      const text = raw.replace('MARKER', marker);
      const workDir = dirIn(`send-${Buffer.from(raw).toString('hex')}`);
      const session = await idleSession(workDir);
      const sent = await t.api('POST', `/v1/sessions/${session.id}/send`, { text });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      expect(sent.body).toEqual({ delivered: true, attempts: 1 });
      // The fake Claude logs every key it read: the text byte for byte (one bracketed paste), then one Enter.
      const log = fakeClaudeLog(workDir, session.id);
      expect(keysReceived(log)).toBe(`${pastedKeys(text)}\r`);
      expect(submitted(log)).toEqual([text]);
      await t.api('DELETE', `/v1/sessions/${session.id}`);
      await expectAlive();
    });

    it('refuses a model name that looks like a flag', async () => {
      for (const model of ['-v', '--help', '--dangerously-skip-permissions']) {
        const res = await t.api('POST', '/v1/sessions', { workDir: dirIn('model'), model });
        expectError(res, 400, 'INVALID_REQUEST', model);
        expect(res.body.error.details.issues[0].path).toBe('model');
      }
      await expectAlive();
    });

    it('takes format strings in every other field as data', async () => {
      const format = `#(touch ${marker})`;
      expectError(await t.api('GET', `/v1/sessions?status=${encodeURIComponent(format)}`), 400, 'INVALID_REQUEST');
      expectError(await t.api('GET', `/v1/sessions/${s.id}/read?after=${encodeURIComponent(format)}`), 400, 'INVALID_REQUEST');
      expectError(await t.api('POST', `/v1/sessions/${s.id}/approve`, { permissionId: format }), 404, 'PERMISSION_NOT_FOUND');
      expectError(await t.api('POST', `/v1/sessions/${s.id}/reject`, { message: format }), 409, 'NOTHING_PENDING');
      expectError(await t.api('POST', `/v1/sessions/${s.id}/answer`, { answer: '--help' }), 409, 'NOTHING_PENDING');
      expectError(await t.api('POST', '/v1/sessions', { workDir: dirIn('profile'), permissionProfile: format }), 400, 'INVALID_REQUEST');
      expectError(await t.api('POST', '/v1/sessions', { workDir: dirIn('env'), env: { LANG: format, [format]: 'x' } }), 400, 'ENV_NOT_ALLOWED');
      expect((await t.api('GET', `/v1/diagnostics?x=${encodeURIComponent(format)}`)).status).toBe(200);
      expect((await t.api('GET', `/v1/sessions/health?x=${encodeURIComponent(format)}`)).status).toBe(200);
      expect((await t.api('GET', `/v1/health?x=${encodeURIComponent(format)}&-v`)).status).toBe(200);
      expect((await t.api('GET', `/v1/sessions/${s.id}/pane?-t=%250`)).status).toBe(200);
      const ok = await hook('UserPromptSubmit', s.id, secretOf(s.tmux.paneId), JSON.stringify({ hook_event_name: 'UserPromptSubmit', prompt: format, cwd: '-v', transcript_path: format }));
      expect(ok.status).toBe(200);
      await hook('Stop', s.id, secretOf(s.tmux.paneId), JSON.stringify({ hook_event_name: 'Stop', last_assistant_message: '--help' }));
      await expectAlive();
    });
  });

  describe('control characters', () => {
    it.each([
      ['NUL', '\u0000'],
      ['ESC', '\u001b[2J'],
      ['BEL', '\u0007'],
      ['Ctrl-C', '\u0003'],
      ['DEL', '\u007f'],
      ['CSI (C1)', '\u009b2J'],
      ['NEL (C1)', '\u0085'],
    ])('refuses %s in every text field with 400 naming the field', async (_what, char) => {
      const text = `a${char}b`;
      const fields: Array<[string, string, Record<string, unknown>, string]> = [
        ['POST', `/v1/sessions/${s.id}/send`, { text }, 'text'],
        ['POST', '/v1/sessions', { workDir: dirIn('ctl'), prompt: text }, 'prompt'],
        ['POST', '/v1/sessions', { workDir: dirIn('ctl'), name: text }, 'name'],
        ['POST', `/v1/sessions/${s.id}/reject`, { message: text }, 'message'],
        ['POST', `/v1/sessions/${s.id}/answer`, { answer: text }, 'answer'],
      ];
      for (const [method, path, body, field] of fields) {
        const res = await t.api(method, path, body);
        expectError(res, 400, 'INVALID_REQUEST', `${path} ${field}`);
        expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([field]);
      }
      expectError(await t.api('POST', '/v1/sessions', { workDir: `${dirIn('ctl')}${char}` }), 400, 'INVALID_REQUEST');
      expectError(await t.api('GET', `/v1/sessions?status=${encodeURIComponent(text)}`), 400, 'INVALID_REQUEST');
      await expectAlive();
    });

    it('refuses NUL in an env value, and control characters in headers and the URL', async () => {
      const env = await t.api('POST', '/v1/sessions', { workDir: dirIn('ctl'), env: { LANG: 'a\u0000b' } });
      expectError(env, 400, 'INVALID_REQUEST');
      expect(env.body.error.details.issues[0].path).toBe('env.LANG');
      for (const bytes of [
        `GET /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Evil: a\u0001b\r\n\r\n`,
        `GET /v1/sessions/\u001b[2J HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
        `GET /v1/sessions/%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      ]) {
        const res = await rawExchange(t.daemon.port, bytes);
        expect(res.status, res.raw.slice(0, 200)).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.json?.error?.code, res.raw.slice(0, 200)).toMatch(/^(INVALID_REQUEST|SESSION_NOT_FOUND)$/);
      }
      await expectAlive();
    });
  });

  describe('oversized and deeply nested bodies', () => {
    const big = JSON.stringify({ text: 'x'.repeat(10 * 1024 * 1024) });
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;

    it('refuses a 10 MB body on every route that reads one with 413', async () => {
      for (const [method, path] of bodyRoutes()) expectError(await t.api(method, path, big), 413, 'PAYLOAD_TOO_LARGE', `${method} ${path}`);
      const res = await hook('Stop', s.id, secretOf(s.tmux.paneId), big);
      expect(res.status).toBe(413);
      await expectAlive();
    });

    it('refuses a 20 000-deep body on every route that reads one with 400', async () => {
      for (const [method, path] of bodyRoutes()) expectError(await t.api(method, path, deep), 400, 'INVALID_REQUEST', `${method} ${path}`);
      for (const event of ['Stop', 'PermissionRequest', 'PreToolUse', 'UserPromptSubmit', 'Notification', 'PostToolUse']) {
        const res = await hook(event, s.id, secretOf(s.tmux.paneId), `{"hook_event_name":"${event}","tool_input":${deep}}`);
        expect(res.status, event).toBe(400);
      }
      expect((await t.api('GET', '/v1/sessions')).status).toBe(200);
      expect((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body).toEqual({ pending: [] });
      await expectAlive();
    });

    it('refuses hook bodies that are not objects, and a prototype key in a create request', async () => {
      for (const body of ['[]', '"x"', '1', 'null', '{"tool_name": 1}']) {
        const res = await hook('Stop', s.id, secretOf(s.tmux.paneId), body);
        expect(res.status, body).toBe(400);
      }
      const res = await t.api('POST', '/v1/sessions', `{"workDir": "${dirIn('proto')}", "__proto__": {"polluted": true}}`);
      expectError(res, 400, 'INVALID_REQUEST');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await expectAlive();
    });
  });

  describe('work dirs', () => {
    it('refuses a work dir that leaves the allowed root through .. or a symlink with 403 WORKDIR_NOT_ALLOWED', async () => {
      symlinkSync(outside, join(allowed, 'link-out'));
      for (const workDir of [`${allowed}/../outside`, `${allowed}/main/../../outside`, join(allowed, 'link-out'), join(allowed, 'link-out', '.'), '/', '/etc']) {
        expectError(await t.api('POST', '/v1/sessions', { workDir }), 403, 'WORKDIR_NOT_ALLOWED', workDir);
      }
      await expectAlive();
    });

    it('resolves a symlink that stays inside the allowed root, and names bad work dirs with 400', async () => {
      const real = dirIn('real');
      symlinkSync(real, join(allowed, 'link-in'));
      const created = await idleSession(join(allowed, 'link-in'));
      expect(created.workDir).toBe(real);
      await t.api('DELETE', `/v1/sessions/${created.id}`);
      for (const workDir of ['relative/dir', '', `${allowed}/missing`, `${allowed}/${'a'.repeat(5000)}`, join(allowed, 'main', '..', 'nope')]) {
        const res = await t.api('POST', '/v1/sessions', { workDir });
        expectError(res, 400, 'INVALID_REQUEST', workDir.slice(0, 80));
        expect(res.body.error.details.issues[0].path).toBe('workDir');
      }
      await expectAlive();
    });
  });

  describe('odd ids and paths', () => {
    it.each([
      ['..%2F..', 404, 'SESSION_NOT_FOUND'],
      ['%23%7Bpane_id%7D', 404, 'SESSION_NOT_FOUND'],
      ['%23(touch%20x)', 404, 'SESSION_NOT_FOUND'],
      ['-v', 404, 'SESSION_NOT_FOUND'],
      ['%00', 404, 'SESSION_NOT_FOUND'],
      ['%zz', 400, 'INVALID_REQUEST'],
      ['a'.repeat(5000), 400, 'INVALID_REQUEST'],
    ])('answers the id %s on every session route with %i', async (id, status, code) => {
      for (const [method, path, body] of idRoutes(id)) expectError(await t.api(method, path, body), status, code, `${method} ${path.slice(0, 80)}`);
      await expectAlive();
    });

    it('answers odd hook event names and session ids without reaching a session', async () => {
      for (const event of ['..%2F..', '__proto__', 'toString', '%23%7Bpane_id%7D', '-v']) {
        expectError(await t.hookApi('POST', `/v1/hooks/${event}?session=${s.id}`, {}, { 'x-aegis-hook-secret': secretOf(s.tmux.paneId) }), 404, 'NOT_FOUND', event);
      }
      for (const session of ['..%2F..', 'a'.repeat(5000), '', '%00']) {
        expectError(await t.hookApi('POST', `/v1/hooks/Stop?session=${session}`, {}, { 'x-aegis-hook-secret': secretOf(s.tmux.paneId) }), 401, 'UNAUTHORIZED', session.slice(0, 40));
      }
      expectError(await t.hookApi('POST', `/v1/hooks/Stop?session=${s.id}`, {}, { 'x-aegis-hook-secret': '#{pane_id}' }), 401, 'UNAUTHORIZED');
      await expectAlive();
    });

    it('serves the event streams whatever Last-Event-ID says', async () => {
      for (const [path, lastEventId] of [['/v1/events', '-1'], ['/v1/events', '#{pane_id}'], [`/v1/sessions/${s.id}/events`, '9'.repeat(400)], ['/v1/events', '1e400']]) {
        const controller = new AbortController();
        const res = await fetch(`${t.url}${path}`, { headers: { 'last-event-id': lastEventId! }, signal: controller.signal });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
        controller.abort();
      }
      const controller = new AbortController();
      expect((await fetch(`${t.url}/v1/events?lastEventId=..%2F..`, { signal: controller.signal })).status).toBe(200);
      controller.abort();
      // A token that is not an SSE token is a bad credential, even on a daemon that needs none.
      expectError(await t.api('GET', '/v1/events?lastEventId=..%2F..&token=-v'), 401, 'UNAUTHORIZED');
      await expectAlive();
    }, 20_000);

    it('answers unknown methods and routes in the envelope', async () => {
      expectError(await t.api('PUT', '/v1/sessions'), 404, 'NOT_FOUND');
      expectError(await t.api('DELETE', '/v1/sessions'), 404, 'NOT_FOUND');
      expectError(await t.api('PATCH', `/v1/sessions/${s.id}`, {}), 404, 'NOT_FOUND');
      expectError(await t.api('GET', '/v1/../../etc/passwd'), 404, 'NOT_FOUND');
      expectError(await t.api('GET', '/v1/sessions/%2e%2e/%2e%2e/health'), 404, 'NOT_FOUND');
      expectError(await t.api('OPTIONS', '/v1/sessions'), 404, 'NOT_FOUND');
      // Sent as is: fetch would resolve the dot segments before the daemon saw them.
      for (const [path, status, code] of [['/v1/sessions/%2e%2e', 404, 'SESSION_NOT_FOUND'], ['/v1/sessions/%2e%2e/%2e%2e/health', 404, 'NOT_FOUND'], ['/v1/../../etc/passwd', 404, 'NOT_FOUND']] as const) {
        const res = await rawExchange(t.daemon.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        expectError({ status: res.status, body: res.json }, status, code, path);
      }
      await expectAlive();
    });
  });
});
