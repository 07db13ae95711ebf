import { describe, expect, it } from 'vitest';
import { checkRequestEnv, claudeArgv, claudeEnv, HOOK_SECRET_HEADER, needsSandbox, sessionSettings, startCommand, userEnv } from './launch.js';

describe('claudeArgv', () => {
  it('passes the session id, settings file, permission mode and model as separate arguments', () => {
    expect(claudeArgv({ claudeCommand: '/opt/claude', sessionId: 'abc', settingsPath: '/s.json', permissionMode: 'plan', model: 'm 1' }))
      .toEqual(['/opt/claude', '--session-id', 'abc', '--settings', '/s.json', '--permission-mode', 'plan', '--model', 'm 1']);
  });

  it('leaves the model out when none is asked for', () => {
    expect(claudeArgv({ claudeCommand: 'claude', sessionId: 'abc', settingsPath: '/s.json', permissionMode: 'default' })).not.toContain('--model');
  });
});

describe('sessionSettings', () => {
  it('skips the bypass warning only for a session that asked for bypassPermissions', () => {
    expect(sessionSettings('http://x', 'sid', 's', 'bypassPermissions', 1000)).toHaveProperty('skipDangerousModePermissionPrompt', true);
    expect(sessionSettings('http://x', 'sid', 's', 'default', 1000)).not.toHaveProperty('skipDangerousModePermissionPrompt');
  });

  it('points every hook at the daemon with the secret written in its header, none taken from the environment', () => {
    const settings = sessionSettings('http://127.0.0.1:9100', 'sid', 'the-secret', 'default', 360_000) as { hooks: Record<string, [{ hooks: [{ url: string; headers: Record<string, string>; allowedEnvVars?: string[] }] }]> };
    expect(Object.keys(settings.hooks)).toEqual(expect.arrayContaining(['UserPromptSubmit', 'Stop', 'Notification', 'PreToolUse', 'PermissionRequest']));
    // Claude holds the PermissionRequest hook for as long as it is told, in seconds.
    expect((settings.hooks.PermissionRequest![0].hooks[0] as unknown as { timeout: number }).timeout).toBe(360);
    const hook = settings.hooks.Stop![0].hooks[0];
    expect(hook.url).toBe('http://127.0.0.1:9100/v1/hooks/Stop?session=sid');
    expect(hook.headers).toEqual({ [HOOK_SECRET_HEADER]: 'the-secret' });
    expect(hook.allowedEnvVars).toBeUndefined();
  });
});

describe('claudeEnv', () => {
  it('inherits the daemon environment and adds the request env, with no hook secret in it', () => {
    const env = claudeEnv({ ANTHROPIC_API_KEY: 'k', HOME: '/root' }, { FEATURE: 'on' }, ['FEATURE'], { sandbox: false });
    expect(env).toEqual({ ANTHROPIC_API_KEY: 'k', HOME: '/root', FEATURE: 'on' });
  });

  it("keeps the daemon's own variables (an inherited hook secret among them) and terminal out of Claude's environment", () => {
    const env = claudeEnv({ AEGIS_AUTH_TOKEN: 'master', AEGIS_HOOK_SECRET: 'old', MANUS_PORT: '1', TMUX: '/tmp/x', TERM: 'xterm', KEEP: 'y' }, {}, [], { sandbox: false });
    expect(env).toEqual({ KEEP: 'y' });
  });

  it('sets IS_SANDBOX=1 when Claude needs it, whatever value was inherited', () => {
    expect(claudeEnv({ IS_SANDBOX: 'yes' }, {}, [], { sandbox: true })).toEqual({ IS_SANDBOX: '1' });
    expect(claudeEnv({}, {}, [], { sandbox: true })).toEqual({ IS_SANDBOX: '1' });
    expect(needsSandbox('bypassPermissions', true)).toBe(true);
    expect(needsSandbox('bypassPermissions', false)).toBe(false);
    expect(needsSandbox('default', true)).toBe(false);
  });

  it.each(['AEGIS_HOOK_SECRET', 'AEGIS_PORT', 'MANUS_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'CLAUDE_CONFIG_DIR', 'LD_PRELOAD', 'NODE_OPTIONS', 'PATH', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'])(
    'refuses a request that sets %s',
    (key) => {
      expect(() => checkRequestEnv({ [key]: 'x' }, ['*'])).toThrow(expect.objectContaining({ code: 'ENV_NOT_ALLOWED', details: expect.objectContaining({ denied: [key] }) }));
    },
  );

  const DEFAULTS = ['LANG', 'LC_*', 'TZ', 'CI', 'NO_COLOR'];

  it.each(['BUN_OPTIONS', 'GIT_PAGER', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'PAGER', 'PYTHONSTARTUP', 'BASH_ENV', 'SHELLOPTS', 'PS4', 'CLAUDE_CODE_SHELL_PREFIX', 'EDITOR', 'FEATURE_FLAG'])(
    'refuses %s, which the old denylist let through, unless allowedRequestEnv names it',
    (key) => {
      expect(() => checkRequestEnv({ [key]: 'x' }, DEFAULTS)).toThrow(expect.objectContaining({ code: 'ENV_NOT_ALLOWED', details: expect.objectContaining({ denied: [key] }) }));
    },
  );

  it('lets through the default allowlist and names matching allowedRequestEnv, * standing for any characters', () => {
    expect(() => checkRequestEnv({ LANG: 'de_DE.UTF-8', LC_ALL: 'C', TZ: 'Europe/Berlin', CI: '1', NO_COLOR: '1' }, DEFAULTS)).not.toThrow();
    expect(() => checkRequestEnv({ FEATURE_FLAG: 'on', FEATURE_X: 'y', BUILD_ID: '7' }, ['FEATURE_*', 'BUILD_ID'])).not.toThrow();
    expect(() => checkRequestEnv({ XFEATURE_FLAG: 'on' }, ['FEATURE_*'])).toThrow(/XFEATURE_FLAG/);
    expect(() => checkRequestEnv({ lang: 'C' }, DEFAULTS)).toThrow(/lang/);
  });

  it.each(['BUN_OPTIONS', 'BUN_INSTALL', 'AEGIS_HOOK_SECRET', 'MANUS_AUTH_TOKEN', 'ANTHROPIC_API_KEY', 'CLAUDE_CONFIG_DIR', 'CLAUDE_CODE_USE_BEDROCK', 'LD_PRELOAD', 'NODE_OPTIONS', 'PATH', 'HOME', 'GIT_SSH_COMMAND', 'https_proxy', 'IS_SANDBOX', 'GCONV_PATH'])(
    'never lets %s through, whatever allowedRequestEnv says',
    (key) => {
      expect(() => checkRequestEnv({ [key]: 'x' }, ['*', key])).toThrow(expect.objectContaining({ code: 'ENV_NOT_ALLOWED', details: expect.objectContaining({ denied: [key], neverAllowed: [key] }) }));
    },
  );

  it('names every refused variable and the patterns that would have let it through', () => {
    expect(() => checkRequestEnv({ FEATURE: 'x', LANG: 'C', BUN_OPTIONS: 'y' }, DEFAULTS)).toThrow(
      expect.objectContaining({
        message: 'env may not set FEATURE, BUN_OPTIONS: a request may set only variables matching allowedRequestEnv (LANG, LC_*, TZ, CI, NO_COLOR); BUN_OPTIONS can never be set by a request',
        details: {
          denied: ['FEATURE', 'BUN_OPTIONS'], neverAllowed: ['BUN_OPTIONS'], invalid: [], allowedRequestEnv: DEFAULTS,
          issues: [
            { path: 'env.FEATURE', message: 'not allowed by allowedRequestEnv (LANG, LC_*, TZ, CI, NO_COLOR)' },
            { path: 'env.BUN_OPTIONS', message: 'can never be set by a request' },
          ],
        },
      }),
    );
  });

  it('refuses variable names that are not names', () => {
    expect(() => checkRequestEnv({ 'A=B': 'x', '1X': 'y' }, ['*'])).toThrow(/not valid variable names: A=B, 1X/);
  });
});

describe('startCommand', () => {
  it('names the real work dir in PWD and, for a session user, takes its ids and groups before anything runs', () => {
    expect(startCommand(['claude', '--x'], '/srv/app', null)).toEqual(['env', 'PWD=/srv/app', 'claude', '--x']);
    expect(startCommand(['claude'], '/srv/app', { name: 'agent', uid: 1001, gid: 1002, home: '/home/agent' }))
      .toEqual(['setpriv', '--reuid=1001', '--regid=1002', '--init-groups', '--', 'env', 'PWD=/srv/app', 'claude']);
  });

  it("gives a session user's Claude its own home and config dir", () => {
    expect(userEnv({ name: 'agent', uid: 1001, gid: 1002, home: '/home/agent' }, '/home/agent/.claude'))
      .toEqual({ HOME: '/home/agent', USER: 'agent', LOGNAME: 'agent', CLAUDE_CONFIG_DIR: '/home/agent/.claude' });
  });
});
