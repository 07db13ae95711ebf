/**
 * How a Claude Code session is started: its argument array, its environment, and the per-session
 * settings file that points Claude's HTTP hooks back at the daemon. Pure functions; nothing here
 * starts a process.
 */
import type { PermissionMode } from '../config/schema.js';
import { AegisError } from '../errors.js';

/** The environment variable that carries a session's hook secret; the settings file names it, never holds it. */
export const HOOK_SECRET_ENV = 'AEGIS_HOOK_SECRET';
export const HOOK_SECRET_HEADER = 'x-aegis-hook-secret';

/**
 * Hook events Aegis listens to, with how long Claude waits for the answer (seconds). A
 * PermissionRequest is held until it is decided, so it waits as long as the session's permission
 * timeout allows, plus a margin.
 */
export const HOOK_EVENTS = {
  UserPromptSubmit: 10,
  Stop: 10,
  Notification: 10,
  PreToolUse: 10,
  PostToolUse: 10,
  PermissionRequest: 0,
} as const;
const PERMISSION_HOOK_MARGIN_SECONDS = 60;
export type HookEvent = keyof typeof HOOK_EVENTS;

export interface LaunchSpec {
  claudeCommand: string;
  sessionId: string;
  settingsPath: string;
  permissionMode: PermissionMode;
  model?: string | undefined;
}

export function claudeArgv(spec: LaunchSpec): string[] {
  const argv = [spec.claudeCommand, '--session-id', spec.sessionId, '--settings', spec.settingsPath, '--permission-mode', spec.permissionMode];
  if (spec.model) argv.push('--model', spec.model);
  return argv;
}

/**
 * Settings passed with `--settings`: one HTTP hook per event, authenticated by the session's secret.
 * A caller who asked for bypassPermissions has accepted its warning, so Claude does not show it again.
 */
export function sessionSettings(
  hookBaseUrl: string,
  sessionId: string,
  permissionMode: PermissionMode,
  permissionTimeoutMs: number,
): Record<string, unknown> {
  const hooks: Record<string, unknown> = {};
  for (const [event, seconds] of Object.entries(HOOK_EVENTS)) {
    const timeout = event === 'PermissionRequest' ? Math.ceil(permissionTimeoutMs / 1000) + PERMISSION_HOOK_MARGIN_SECONDS : seconds;
    hooks[event] = [
      {
        matcher: '*',
        hooks: [
          {
            type: 'http',
            url: `${hookBaseUrl}/v1/hooks/${event}?session=${encodeURIComponent(sessionId)}`,
            timeout,
            headers: { [HOOK_SECRET_HEADER]: `$${HOOK_SECRET_ENV}` },
            allowedEnvVars: [HOOK_SECRET_ENV],
          },
        ],
      },
    ];
  }
  return { hooks, ...(permissionMode === 'bypassPermissions' ? { skipDangerousModePermissionPrompt: true } : {}) };
}

/**
 * Variables a caller may not set: the daemon's own, the hook secret, and those that would let a caller
 * redirect the daemon's API key or run code of its choosing inside Claude's process.
 */
const DENIED_ENV = [
  /^AEGIS_/, /^MANUS_/, /^ANTHROPIC_/, /^CLAUDE_CONFIG_DIR$/, /^LD_/, /^DYLD_/,
  /^NODE_OPTIONS$/, /^NODE_PATH$/, /^PATH$/, /^HOME$/, /^SHELL$/, /^TMUX/, /^BASH_ENV$/, /^ENV$/, /^IFS$/,
  // Proxies and trust stores would let a caller read the daemon's API traffic, key included.
  /^(HTTPS?|ALL|NO)_PROXY$/i, /^NODE_TLS_REJECT_UNAUTHORIZED$/, /^NODE_EXTRA_CA_CERTS$/, /^SSL_CERT_(FILE|DIR)$/,
];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Rejects, with every offending name listed, a request env that the denylist or naming rules refuse. */
export function checkRequestEnv(env: Record<string, string>): void {
  const invalid = Object.keys(env).filter((key) => !ENV_NAME.test(key));
  const denied = Object.keys(env).filter((key) => ENV_NAME.test(key) && DENIED_ENV.some((rule) => rule.test(key)));
  if (invalid.length > 0 || denied.length > 0) {
    const parts = [];
    if (denied.length) parts.push(`may not be set by a request: ${denied.join(', ')}`);
    if (invalid.length) parts.push(`are not valid variable names: ${invalid.join(', ')}`);
    throw new AegisError('ENV_NOT_ALLOWED', `env ${parts.join('; ')}`, { denied, invalid });
  }
}

/**
 * Daemon variables Claude does not inherit: Aegis's own configuration (its auth token among them) and
 * those describing the daemon's terminal and shell rather than the session's tmux window.
 */
const NOT_INHERITED = /^(AEGIS_|MANUS_|TMUX|TERM$|TERM_PROGRAM|PWD$|OLDPWD$|SHLVL$|_$)/;

/** Claude's environment: the daemon's own, the request's additions, then the session's hook secret. */
export function claudeEnv(daemonEnv: NodeJS.ProcessEnv, requestEnv: Record<string, string>, hookSecret: string): Record<string, string> {
  checkRequestEnv(requestEnv);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(daemonEnv)) {
    if (value !== undefined && ENV_NAME.test(key) && !NOT_INHERITED.test(key)) env[key] = value;
  }
  return { ...env, ...requestEnv, [HOOK_SECRET_ENV]: hookSecret };
}
