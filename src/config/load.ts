/**
 * Builds the effective configuration from, in rising precedence: defaults, aegis.config.json
 * (in the working directory, or the file named by AEGIS_CONFIG), legacy MANUS_* variables, and
 * AEGIS_* variables. An invalid value throws a ConfigError naming the key, where it came from and
 * what is wrong, so startup stops with a message a person can act on.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configSchema, GOOD_TOKEN, type Config, type ConfigKey } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Environment variable suffix for each key (`AEGIS_<suffix>`, legacy `MANUS_<suffix>`). */
export const ENV_NAMES: Partial<Record<ConfigKey, string>> = {
  port: 'PORT',
  host: 'HOST',
  hookPort: 'HOOK_PORT',
  authToken: 'AUTH_TOKEN',
  stateDir: 'STATE_DIR',
  tmuxSession: 'TMUX_SESSION',
  tmuxSocket: 'TMUX_SOCKET',
  tmuxBin: 'TMUX_BIN',
  logLevel: 'LOG_LEVEL',
  maxSessions: 'MAX_SESSIONS',
  idleTimeoutMs: 'IDLE_TIMEOUT_MS',
  stallThresholdMs: 'STALL_THRESHOLD_MS',
  startTimeoutMs: 'START_TIMEOUT_MS',
  stallAction: 'STALL_ACTION',
  claudeCommand: 'CLAUDE_COMMAND',
  sessionUser: 'SESSION_USER',
  allowedWorkdirs: 'ALLOWED_WORKDIRS',
  allowedOrigins: 'ALLOWED_ORIGINS',
  allowedHosts: 'ALLOWED_HOSTS',
  trustProxy: 'TRUST_PROXY',
  nodeUrl: 'NODE_URL',
  allowedRequestEnv: 'ALLOWED_REQUEST_ENV',
  defaultPermissionMode: 'PERMISSION_MODE',
  defaultModel: 'MODEL',
  defaultPermissionProfile: 'PERMISSION_PROFILE',
  permissionTimeoutMs: 'PERMISSION_TIMEOUT_MS',
  permissionTimeoutDecision: 'PERMISSION_TIMEOUT_DECISION',
  sseTokenTtlSeconds: 'SSE_TOKEN_TTL_SECONDS',
  webSessionHours: 'WEB_SESSION_HOURS',
  dashboardDir: 'DASHBOARD_DIR',
  lockoutMs: 'LOCKOUT_MS',
  rateLimitPerKey: 'RATE_LIMIT_PER_KEY',
  rateLimitPerIp: 'RATE_LIMIT_PER_IP',
  maxSseStreamsPerKey: 'MAX_SSE_STREAMS_PER_KEY',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  budgetAction: 'BUDGET_ACTION',
};

const LIST_KEYS = new Set<ConfigKey>(['allowedWorkdirs', 'allowedOrigins', 'allowedHosts', 'allowedRequestEnv']);
/** Keys whose value is a number: from the environment they are taken only as decimal digits. */
export const NUMBER_KEYS = new Set<ConfigKey>([
  'port', 'hookPort', 'maxSessions', 'idleTimeoutMs', 'stallThresholdMs', 'startTimeoutMs', 'paneCols', 'paneRows', 'eventReplaySize', 'permissionTimeoutMs',
  'lockoutMs', 'maxSseStreamsPerKey', 'rateLimitPerIp', 'rateLimitPerKey', 'sseTokenTtlSeconds', 'requestTimeoutMs', 'webSessionHours',
]);

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values from the command line, above everything else (and seen by what derives from them, such as the tmux socket). */
  overrides?: Partial<Record<ConfigKey, unknown>>;
}

export interface LoadedConfig {
  config: Config;
  /** Where each key that was set came from, e.g. `{port: "AEGIS_PORT"}`. */
  sources: Partial<Record<ConfigKey, string>>;
  configFile: string | null;
}

export function loadConfig({ env = process.env, cwd = process.cwd(), overrides = {} }: LoadOptions = {}): LoadedConfig {
  const raw: Record<string, unknown> = {};
  const sources: Partial<Record<ConfigKey, string>> = {};

  const configFile = env.AEGIS_CONFIG ? resolve(cwd, env.AEGIS_CONFIG) : resolve(cwd, 'aegis.config.json');
  const fileExists = existsSync(configFile);
  if (env.AEGIS_CONFIG && !fileExists) throw new ConfigError(`AEGIS_CONFIG names ${configFile}, which does not exist`);
  if (fileExists) {
    for (const [key, value] of Object.entries(readConfigFile(configFile))) {
      raw[key] = value;
      sources[key as ConfigKey] = `${configFile} (${key})`;
    }
  }

  for (const prefix of ['MANUS_', 'AEGIS_']) {
    for (const [key, suffix] of Object.entries(ENV_NAMES) as [ConfigKey, string][]) {
      const value = env[prefix + suffix];
      if (value === undefined || value === '') continue;
      raw[key] = LIST_KEYS.has(key) ? value.split(',').map((s) => s.trim()).filter(Boolean) : NUMBER_KEYS.has(key) ? decimal(value) : value;
      sources[key] = prefix + suffix;
    }
  }

  for (const [key, value] of Object.entries(overrides) as [ConfigKey, unknown][]) {
    if (value === undefined) continue;
    raw[key] = value;
    sources[key] = 'command line';
  }

  const tokenFile = authTokenFile(env);
  if (tokenFile) {
    if (raw.authToken !== undefined) throw new ConfigError(`${tokenFile.source} and ${sources.authToken} both set the auth token: keep one`);
    raw.authToken = readTokenFile(tokenFile.path, tokenFile.source);
    sources.authToken = tokenFile.source;
  }

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const where = sources[key as ConfigKey] ?? (issue.code === 'unrecognized_keys' ? configFile : key);
      // A secret is never repeated back, not even a wrong one: error messages reach logs and terminals.
      const value = !(key in raw) ? '' : key === 'authToken' ? ` (got ${String(raw[key]).length} characters); ${GOOD_TOKEN}` : ` (got ${JSON.stringify(shown(raw[key], issue.path))})`;
      return `${where}${nested(issue.path)}: ${issue.message}${value}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { config: withPersistPathResolved(parsed.data, fileExists ? dirname(configFile) : cwd), sources, configFile: fileExists ? configFile : null };
}

/** Keys whose value is an object of settings: an issue in one names the setting, and shows its value alone. */
const SECTION_KEYS = new Set<PropertyKey>(['modelRouter', 'memoryBridge', 'claudeTelemetry']);

/** `memoryBridge.persistPath` as an absolute path: a relative one is taken from the config file's directory (else the working directory). */
function withPersistPathResolved(config: Config, base: string): Config {
  const persistPath = config.memoryBridge?.persistPath;
  if (!config.memoryBridge || persistPath === undefined) return config;
  return { ...config, memoryBridge: { ...config.memoryBridge, persistPath: resolve(base, persistPath) } };
}

/** Where in a key's object an issue is: `.tiers.fast` for `modelRouter.tiers.fast`. */
function nested(path: readonly PropertyKey[]): string {
  if (!SECTION_KEYS.has(path[0]!)) return '';
  return path.slice(1).map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
}

/**
 * The value an issue is about, for the message: the part of a key's object its path names (not the
 * whole object), and never the telemetry headers, which carry the collector's credentials.
 */
function shown(value: unknown, path: readonly PropertyKey[]): unknown {
  if (!SECTION_KEYS.has(path[0]!)) return value;
  let at = value;
  for (const part of path.slice(1)) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) break;
    at = (at as Record<PropertyKey, unknown>)[part];
  }
  const secret = path[0] === 'claudeTelemetry' && (path[1] === 'headers' || (typeof at === 'object' && at !== null));
  return secret ? '[redacted]' : at;
}

/** Decimal digits as their number; anything else (`0x47F0`, `1e4`, `-1`, ` 5`) stays text, which the schema refuses. */
function decimal(value: string): number | string {
  return /^[0-9]+$/.test(value) ? Number(value) : value;
}

/** The name systemd gives the token among a unit's credentials (`LoadCredential=aegis-auth-token:…`). */
export const CREDENTIAL_NAME = 'aegis-auth-token';
/** Longer than any token: a file this big is not one. */
const MAX_TOKEN_FILE_BYTES = 4096;

/**
 * Where the auth token is kept out of the environment: the file AEGIS_AUTH_TOKEN_FILE names, else the
 * systemd credential in $CREDENTIALS_DIRECTORY when the unit passes one.
 */
function authTokenFile(env: NodeJS.ProcessEnv): { path: string; source: string } | null {
  const named = env.AEGIS_AUTH_TOKEN_FILE || env.MANUS_AUTH_TOKEN_FILE;
  if (named) return { path: named, source: env.AEGIS_AUTH_TOKEN_FILE ? 'AEGIS_AUTH_TOKEN_FILE' : 'MANUS_AUTH_TOKEN_FILE' };
  const credential = env.CREDENTIALS_DIRECTORY ? join(env.CREDENTIALS_DIRECTORY, CREDENTIAL_NAME) : null;
  return credential && existsSync(credential) ? { path: credential, source: `$CREDENTIALS_DIRECTORY/${CREDENTIAL_NAME}` } : null;
}

/** The token a file holds: its content without the line break editors add; a regular file of bounded size only. */
function readTokenFile(path: string, source: string): string {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > MAX_TOKEN_FILE_BYTES) throw new Error(`larger than ${MAX_TOKEN_FILE_BYTES} bytes`);
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(`${source}: cannot read the auth token from ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${file} must hold a JSON object`);
  }
  return data as Record<string, unknown>;
}

/** The configuration with secrets replaced, fit for logs and diagnostics. */
export function redactConfig(config: Config): Record<string, unknown> {
  const telemetry = config.claudeTelemetry && { ...config.claudeTelemetry, headers: Object.fromEntries(Object.keys(config.claudeTelemetry.headers).map((name) => [name, '[redacted]'])) };
  return { ...config, authToken: config.authToken ? '[redacted]' : undefined, ...(telemetry ? { claudeTelemetry: telemetry } : {}) };
}
