/**
 * What a create request may not carry, through HTTP against a real daemon: variables that run code in
 * Claude or the programs it starts, even where `allowedRequestEnv` is `*`, and session names with
 * invisible or bidi characters that would pass for another name in `aegis list` and tmux, and numbers
 * written other than in decimal digits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInClaude } from '../support/stand-in.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon({ config: { claudeCommand: standInClaude(), allowedRequestEnv: ['*'] } });
});

afterAll(async () => {
  await t?.close();
});

async function sessionCount(): Promise<number> {
  return (await t.api('GET', '/v1/sessions')).body.sessions.length;
}

describe('the env floor, with allowedRequestEnv ["*"]', () => {
  it('lets a variable outside the floor through: the setting is in force', async () => {
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), env: { FEATURE_FLAG: 'on' } });
    expect(res.status).toBe(201);
    await t.api('DELETE', `/v1/sessions/${res.body.id}`);
  });

  it.each(['NODE_OPTIONS', 'LD_PRELOAD', 'GIT_SSH_COMMAND', 'ld_preload', 'BUN_OPTIONS', 'ANTHROPIC_BASE_URL', 'AEGIS_AUTH_TOKEN', 'HTTPS_PROXY'])(
    'refuses %s with 400 ENV_NOT_ALLOWED and starts nothing',
    async (name) => {
      const before = await sessionCount();
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), env: { FEATURE_FLAG: 'on', [name]: '--require /tmp/evil.js' } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ENV_NOT_ALLOWED');
      expect(res.body.error.message).toContain(`${name} can never be set by a request`);
      expect(res.body.error.details).toMatchObject({ denied: [name], neverAllowed: [name], allowedRequestEnv: ['*'] });
      expect(await sessionCount()).toBe(before);
    },
  );
});

describe('session names', () => {
  it.each([
    ['a zero-width space', 'build\u200b', 'U+200B'],
    ['a zero-width joiner', 'bu\u200dild', 'U+200D'],
    ['a zero-width non-joiner', 'bu\u200cild', 'U+200C'],
    ['a word joiner', 'bu\u2060ild', 'U+2060'],
    ['a byte order mark', '\ufeffbuild', 'U+FEFF'],
    ['a soft hyphen', 'bu\u00adild', 'U+00AD'],
    ['a right-to-left override', 'build\u202egol', 'U+202E'],
    ['a right-to-left mark', 'build\u200f', 'U+200F'],
    ['a first-strong isolate', '\u2068build\u2069', 'U+2068'],
    ['an Arabic letter mark', 'build\u061c', 'U+061C'],
    ['a line separator', 'build\u2028x', 'U+2028'],
  ])('refuses a name with %s: 400 INVALID_REQUEST naming the character', async (_what, name, codePoint) => {
    const before = await sessionCount();
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), name });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'name', message: `must not contain invisible or bidi control characters (it holds ${codePoint}): they make a name look like another one` }),
    ]);
    expect(await sessionCount()).toBe(before);
  });

  it('takes a name in any script', async () => {
    const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), name: 'café-日本-عربي-שלום' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('café-日本-عربي-שלום');
    await t.api('DELETE', `/v1/sessions/${res.body.id}`);
  });
});

describe('numbers in a query', () => {
  it.each(['1e2', '0x10', ' 5', '5.0', '-1', ''])('refuses read limit %j: only decimal digits are a number', async (limit) => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const res = await t.api('GET', `/v1/sessions/${created.body.id}/read?limit=${encodeURIComponent(limit)}`);
    await t.api('DELETE', `/v1/sessions/${created.body.id}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.details.issues[0].path).toBe('limit');
  });

  it('reads with a limit in decimal digits, and without one', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const limited = await t.api('GET', `/v1/sessions/${created.body.id}/read?limit=5`);
    const unlimited = await t.api('GET', `/v1/sessions/${created.body.id}/read`);
    await t.api('DELETE', `/v1/sessions/${created.body.id}`);
    expect([limited.status, unlimited.status]).toEqual([200, 200]);
  });
});
