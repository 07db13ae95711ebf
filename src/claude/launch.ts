/**
 * How a Claude Code session is started: its argument array, its environment, and the per-session
 * settings file that points Claude's HTTP hooks back at the daemon. Pure functions; nothing here
 * starts a process.
 */
import type { PermissionMode } from '../config/schema.js';
import type { UnixUser } from '../config/session-user.js';
import { AegisError } from '../errors.js';

/**
 * The header that carries a session's hook secret. The secret is written in the session's settings
 * file, which Claude reads once at start and the daemon removes once Claude is up: it is never in
 * Claude's environment, which every command Claude runs inherits and any process of the same user
 * reads from /proc/<pid>/environ.
 */
export const HOOK_SECRET_HEADER = 'x-aegis-hook-secret';

/**
 * Hook events Aegis listens to, with how long Claude waits for the answer (seconds). A
 * PermissionRequest is held until it is decided, so it waits as long as the session's permission
 * timeout allows, plus a margin.
 */
export const HOOK_EVENTS = {
  UserPromptSubmit: 10,
  Stop: 10,
  StopFailure: 10,
  Notification: 10,
  PreToolUse: 10,
  PostToolUse: 10,
  PermissionRequest: 0,
} as const;
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
 * The command that starts `argv` in `workDir`, as `user` when one is given: `setpriv` takes the user's
 * ids and groups and execs (so the pane's process is Claude itself), and `env` names the real work dir
 * in PWD (tmux would name the descriptor it was started in).
 */
export function startCommand(argv: readonly string[], workDir: string, user: UnixUser | null): string[] {
  const asUser = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--'] : [];
  return [...asUser, 'env', `PWD=${workDir}`, ...argv];
}

/** What a session user's Claude needs in its environment: its own home, name and Claude config dir. */
export function userEnv(user: UnixUser, claudeConfigDir: string): Record<string, string> {
  return { HOME: user.home, USER: user.name, LOGNAME: user.name, CLAUDE_CONFIG_DIR: claudeConfigDir };
}

/**
 * Settings passed with `--settings`: one HTTP hook per event, authenticated by the session's secret
 * (written here literally: see HOOK_SECRET_HEADER). A caller who asked for bypassPermissions has
 * accepted its warning, so Claude does not show it again.
 */
export function sessionSettings(
  hookBaseUrl: string,
  sessionId: string,
  hookSecret: string,
  permissionMode: PermissionMode,
  /** How long Claude holds a PermissionRequest hook: longer than the permission timeout, so the timeout (not Claude) decides. */
  permissionHookTimeoutMs: number,
): Record<string, unknown> {
  const hooks: Record<string, unknown> = {};
  for (const [event, seconds] of Object.entries(HOOK_EVENTS)) {
    const timeout = event === 'PermissionRequest' ? Math.ceil(permissionHookTimeoutMs / 1000) : seconds;
    hooks[event] = [
      {
        matcher: '*',
        hooks: [
          {
            type: 'http',
            url: `${hookBaseUrl}/v1/hooks/${event}?session=${encodeURIComponent(sessionId)}`,
            timeout,
            headers: { [HOOK_SECRET_HEADER]: hookSecret },
          },
        ],
      },
    ];
  }
  return { hooks, ...(permissionMode === 'bypassPermissions' ? { skipDangerousModePermissionPrompt: true } : {}) };
}

/**
 * Variables no request may set, whatever `allowedRequestEnv` says: the daemon's own (its token, the
 * hook secret), Claude's account and configuration, and those that run code inside Claude's process
 * or in every program it starts, all of which hold the API key. A backstop, not a list of everything
 * dangerous: the allowlist is what keeps the rest out. Matched without regard to case.
 */
const NEVER_ALLOWED_ENV = [
  // The daemon's own settings and secrets, and Claude's account, configuration and sandbox switch.
  /^AEGIS_/, /^MANUS_/, /^ANTHROPIC_/, /^CLAUDE/, /^IS_SANDBOX$/,
  // Code in Claude's own process (a Bun binary) or in every dynamically linked program.
  /^BUN_/, /^NODE_(?!ENV$)/, /^NPM_CONFIG_/, /^LD_/, /^DYLD_/, /^GCONV_PATH$/, /^GLIBC_TUNABLES$/, /^LOCPATH$/,
  // Where programs and their start-up files are found, and how shells run every command.
  /^PATH$/, /^HOME$/, /^SHELL$/, /^XDG_CONFIG_HOME$/, /^TMUX/, /^BASH_ENV$/, /^ENV$/, /^IFS$/, /^SHELLOPTS$/, /^BASHOPTS$/, /^PS4$/, /^PROMPT_COMMAND$/,
  // Commands tools run on their own: git's pager, hooks and ssh, pagers and editors, interpreters' start-up code.
  /^GIT_/, /^PAGER$/, /^EDITOR$/, /^VISUAL$/, /^PYTHON(STARTUP|PATH|HOME)$/, /^PERL5?(OPT|LIB)$/, /^RUBY(OPT|LIB)$/, /^_?JAVA_(TOOL_)?OPTIONS$/,
  // Proxies and trust stores would let a caller read the daemon's API traffic, key included.
  /_PROXY$/, /^SSL_CERT_(FILE|DIR)$/,
].map((rule) => new RegExp(rule.source, 'i'));
/** What a variable name a request may give looks like. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `name` matches one of the patterns, where `*` stands for any run of characters. */
function matchesPattern(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name));
}

/**
 * A request's env passes only when every name is a variable name that `allowedPatterns` (the
 * `allowedRequestEnv` setting) lets through and that is not in the floor. Otherwise ENV_NOT_ALLOWED
 * names every refused variable, the ones no configuration can open, and the patterns in force.
 */
export function checkRequestEnv(env: Record<string, string>, allowedPatterns: readonly string[]): void {
  const names = Object.keys(env);
  const invalid = names.filter((key) => !ENV_NAME.test(key));
  const neverAllowed = names.filter((key) => ENV_NAME.test(key) && NEVER_ALLOWED_ENV.some((rule) => rule.test(key)));
  const denied = names.filter((key) => ENV_NAME.test(key) && (neverAllowed.includes(key) || !matchesPattern(key, allowedPatterns)));
  if (invalid.length === 0 && denied.length === 0) return;
  const parts = [];
  if (denied.length) {
    parts.push(`may not set ${denied.join(', ')}: a request may set only variables matching allowedRequestEnv (${allowedPatterns.join(', ') || 'none'})`);
    if (neverAllowed.length) parts.push(`${neverAllowed.join(', ')} can never be set by a request`);
  }
  if (invalid.length) parts.push(`names that are not valid variable names: ${invalid.join(', ')}`);
  // Each refused variable also as an issue, named by its path, as a refused body's fields are.
  const issues = [
    ...denied.map((name) => ({ path: `env.${name}`, message: neverAllowed.includes(name) ? 'can never be set by a request' : `not allowed by allowedRequestEnv (${allowedPatterns.join(', ') || 'none'})` })),
    ...invalid.map((name) => ({ path: `env.${name}`, message: 'not a valid variable name' })),
  ];
  throw new AegisError('ENV_NOT_ALLOWED', `env ${parts.join('; ')}`, { denied, neverAllowed, invalid, allowedRequestEnv: [...allowedPatterns], issues });
}

/**
 * Daemon variables Claude does not inherit: Aegis's own configuration (its auth token among them) and
 * those describing the daemon's terminal and shell rather than the session's tmux window.
 */
const NOT_INHERITED = /^(AEGIS_|MANUS_|TMUX|TERM$|TERM_PROGRAM|PWD$|OLDPWD$|SHLVL$|_$)/;

/** What Claude itself needs in its environment, set over whatever the daemon inherited. */
export interface ClaudeNeeds {
  /**
   * Claude runs as root in bypassPermissions mode, which it refuses unless `IS_SANDBOX` is `1`
   * exactly: an inherited `IS_SANDBOX=yes` would make every such session fail to start.
   */
  sandbox: boolean;
  /** Claude's OpenTelemetry export (telemetry.ts), when configured: set over any OTEL_* inherited or asked for. */
  telemetry?: Record<string, string>;
}

/** Claude's environment: the daemon's own, the request's additions, then what Claude needs. */
export function claudeEnv(daemonEnv: NodeJS.ProcessEnv, requestEnv: Record<string, string>, allowedPatterns: readonly string[], needs: ClaudeNeeds): Record<string, string> {
  checkRequestEnv(requestEnv, allowedPatterns);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(daemonEnv)) {
    if (value !== undefined && ENV_NAME.test(key) && !NOT_INHERITED.test(key)) env[key] = value;
  }
  return { ...env, ...requestEnv, ...needs.telemetry, ...(needs.sandbox ? { IS_SANDBOX: '1' } : {}) };
}

/** Whether Claude must be told it runs in a sandbox: as root, bypassPermissions is refused otherwise. */
export function needsSandbox(permissionMode: PermissionMode, runsAsRoot: boolean): boolean {
  return permissionMode === 'bypassPermissions' && runsAsRoot;
}
