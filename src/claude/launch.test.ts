import { describe, expect, it } from 'vitest';
import { checkRequestEnv, claudeArgv, claudeEnv, HOOK_SECRET_ENV, sessionSettings } from './launch.js';

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
    expect(sessionSettings('http://x', 'sid', 'bypassPermissions', 1000)).toHaveProperty('skipDangerousModePermissionPrompt', true);
    expect(sessionSettings('http://x', 'sid', 'default', 1000)).not.toHaveProperty('skipDangerousModePermissionPrompt');
  });

  it('points every hook at the daemon with the secret taken from the environment, never written out', () => {
    const settings = sessionSettings('http://127.0.0.1:9100', 'sid', 'default', 300_000) as { hooks: Record<string, [{ hooks: [{ url: string; headers: Record<string, string>; allowedEnvVars: string[] }] }]> };
    expect(Object.keys(settings.hooks)).toEqual(expect.arrayContaining(['UserPromptSubmit', 'Stop', 'Notification', 'PreToolUse', 'PermissionRequest']));
    // A held permission request outlives the permission timeout, so the timeout (not Claude) decides it.
    expect((settings.hooks.PermissionRequest![0].hooks[0] as unknown as { timeout: number }).timeout).toBe(360);
    const hook = settings.hooks.Stop![0].hooks[0];
    expect(hook.url).toBe('http://127.0.0.1:9100/v1/hooks/Stop?session=sid');
    expect(Object.values(hook.headers)).toEqual([`$${HOOK_SECRET_ENV}`]);
    expect(hook.allowedEnvVars).toEqual([HOOK_SECRET_ENV]);
  });
});

describe('claudeEnv', () => {
  it('inherits the daemon environment, adds the request env and the hook secret', () => {
    const env = claudeEnv({ ANTHROPIC_API_KEY: 'k', HOME: '/root' }, { FEATURE: 'on' }, 'secret');
    expect(env).toEqual({ ANTHROPIC_API_KEY: 'k', HOME: '/root', FEATURE: 'on', [HOOK_SECRET_ENV]: 'secret' });
  });

  it("keeps the daemon's own variables and terminal out of Claude's environment", () => {
    const env = claudeEnv({ AEGIS_AUTH_TOKEN: 'master', MANUS_PORT: '1', TMUX: '/tmp/x', TERM: 'xterm', KEEP: 'y' }, {}, 's');
    expect(env).toEqual({ KEEP: 'y', [HOOK_SECRET_ENV]: 's' });
  });

  it.each(['AEGIS_HOOK_SECRET', 'AEGIS_PORT', 'MANUS_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'CLAUDE_CONFIG_DIR', 'LD_PRELOAD', 'NODE_OPTIONS', 'PATH', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'])(
    'refuses a request that sets %s',
    (key) => {
      expect(() => checkRequestEnv({ [key]: 'x' })).toThrow(expect.objectContaining({ code: 'ENV_NOT_ALLOWED', details: expect.objectContaining({ denied: [key] }) }));
    },
  );

  it('refuses variable names that are not names', () => {
    expect(() => checkRequestEnv({ 'A=B': 'x', '1X': 'y' })).toThrow(/not valid variable names: A=B, 1X/);
  });
});
