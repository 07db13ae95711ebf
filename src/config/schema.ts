/**
 * The daemon's configuration: one zod schema is the single source for validation, defaults and
 * the `Config` type. Values come from aegis.config.json and the environment (see load.ts).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { profileSchema, TIMEOUT_DECISIONS } from '../permissions/policy.js';
import { claudeTelemetrySchema } from './claude-telemetry-schema.js';
import { memoryBridgeSchema } from './memory-bridge-schema.js';
import { modelRouterSchema } from './model-router-schema.js';
import { DEFAULT_STATE_DIR, resolveStateDir, tmuxSocketFor } from './paths.js';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk', 'auto'] as const;
export const permissionModeSchema = z.enum(PERMISSION_MODES);
export type PermissionMode = z.infer<typeof permissionModeSchema>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const tmuxName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 letters, digits, "_", "." or "-"');
/**
 * A whole number. The file gives it as a JSON number; the environment as decimal digits, which
 * load.ts turns into one (never hex, exponents or a quoted number in the file: what is read is what was meant).
 */
const WHOLE_NUMBER = 'must be a whole number in decimal digits';
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number({ error: (issue) => (issue.code === 'invalid_type' ? WHOLE_NUMBER : undefined) }).int(WHOLE_NUMBER).min(min).max(max);
const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');
const baseUrl = z.string().max(2000).refine(isBaseUrl, 'must be an http or https URL such as https://aegis-1.internal:9100 (no query, fragment or credentials)');
const labelName = z.string().regex(/^[A-Za-z0-9_./-]{1,63}$/, 'label names use 1-63 letters, digits, "_", ".", "/" or "-"');
/** A web origin as browsers send it: scheme, host and port, nothing after. */
const origin = z.string().refine(isOrigin, 'must be an origin such as http://localhost:3000 (scheme, host and optional port; no path)');
/** A name a client may use for the daemon, with or without a port: `aegis.internal`, `aegis.internal:8443`, `[fd00::1]`. */
const hostName = z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?$/, 'must be a host name, optionally with :port');
/** A proxy address whose X-Forwarded-For is believed: an IP, a CIDR range, or a named range. */
const proxyAddress = z.string().refine(isProxyAddress, 'must be an IP address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal');
/**
 * `true` believes X-Forwarded-For from any peer; a list, only from those peers. The environment gives
 * `true`, `false` or a comma-separated list.
 */
const trustProxy = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value),
  z.union([z.boolean(), z.array(proxyAddress)]),
);
/** An environment variable name, where `*` stands for any run of characters: `LC_*`. */
const envPattern = z.string().regex(/^[A-Za-z0-9_*]+$/, 'must be a variable name, with * for any characters');

/** How to make a token nobody guesses: what a refused one is told. */
export const GOOD_TOKEN = 'make a random one with `openssl rand -hex 32`';

/**
 * Variables a session-creating request may set when the configuration says nothing: they choose a
 * language, a time zone or a tool's output style, and select data, never code (see configuration.md).
 */
export const DEFAULT_ALLOWED_REQUEST_ENV = ['LANG', 'LC_*', 'TZ', 'CI', 'NO_COLOR'];

/** USD per million tokens of each kind; a price over a million dollars per million tokens is a typo. */
const usdPerMillion = z.number().finite().min(0).max(1_000_000);
export const modelPriceSchema = z.object({ input: usdPerMillion, output: usdPerMillion, cacheWrite: usdPerMillion, cacheRead: usdPerMillion }).strict();
export type ModelPrice = z.infer<typeof modelPriceSchema>;
/** Prices by model name (see src/claude/pricing.ts for how a name is matched). */
export type PriceTable = Record<string, ModelPrice>;
export const BUDGET_ACTIONS = ['interrupt', 'kill', 'notify'] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

export const configSchema = z
  .object({
    port: int(0, 65535).default(9100),
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * Loopback port Claude's hooks call back on. Unset: a free port chosen at the daemon's first start,
     * remembered in the state dir, so sessions keep their hook URL across restarts, whatever the API port.
     */
    hookPort: int(1, 65535).optional(),
    authToken: z.string().min(16, 'must be at least 16 characters').optional(),
    stateDir: z.string().min(1).default(DEFAULT_STATE_DIR),
    tmuxSession: tmuxName.default('aegis'),
    /** Unset: named after the state dir (see paths.ts). */
    tmuxSocket: tmuxName.optional(),
    tmuxBin: z.string().min(1).default('tmux'),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    maxSessions: int(1, 10_000).default(50),
    idleTimeoutMs: int(0).default(600_000),
    stallThresholdMs: int(1000).default(120_000),
    /** How long a session may stay `starting` (Claude not yet at its prompt) before it ends as start_failed. */
    startTimeoutMs: int(1000).default(60_000),
    /** What happens to a stalled session: only the `stalled` event, an interrupt, or the end of it. */
    stallAction: z.enum(['notify', 'interrupt', 'kill']).default('notify'),
    claudeCommand: z.string().min(1).default('claude'),
    /**
     * The Unix user Claude Code (and every command it runs) runs as, instead of the daemon's own: it
     * cannot read the daemon's environment, state dir or logs. Needs a daemon running as root.
     */
    sessionUser: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, 'must be a Unix user name').optional(),
    allowedWorkdirs: z.array(absolutePath).default([]),
    /** Browser origins, besides the daemon's own, whose pages may call the API. */
    allowedOrigins: z.array(origin).default([]),
    /** Host names, besides loopback ones, a token-less daemon answers to (a proxy's name, say). */
    allowedHosts: z.array(hostName).default([]),
    /** Where clients and other nodes reach this daemon's API (GET /v1/cluster/nodes). Unset: http://<host>:<port>, the machine's name when bound to every address. */
    nodeUrl: baseUrl.optional(),
    /** What GET /v1/cluster/nodes says of this node: `{"zone": "eu-1"}`. */
    nodeLabels: z
      .record(labelName, z.string().max(200))
      .refine((labels) => Object.keys(labels).length <= 32, 'at most 32 labels')
      .default({}),
    /** Reverse proxies whose X-Forwarded-For names the client (request logs, lockouts); false: the peer is the client. */
    trustProxy: trustProxy.default(false),
    /** Variables the `env` of a create request may set; anything else is refused. */
    allowedRequestEnv: z.array(envPattern).default(() => [...DEFAULT_ALLOWED_REQUEST_ENV]),
    defaultPermissionMode: permissionModeSchema.default('default'),
    defaultModel: z.string().min(1).optional(),
    /** Screen size of new windows; Claude lays its screen out to fit. */
    paneCols: int(40, 1000).default(160),
    paneRows: int(10, 500).default(50),
    /** How many recent events SSE clients can replay with Last-Event-ID. */
    eventReplaySize: int(10, 1_000_000).default(2000),
    /** Named permission policies; a session picks one with `permissionProfile`. */
    permissionProfiles: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'profile names use letters, digits, "_", "." or "-"'), profileSchema).default({}),
    defaultPermissionProfile: z.string().min(1).optional(),
    /** How long a permission request or question waits for a decision before the timeout decides. */
    permissionTimeoutMs: int(1000).default(300_000),
    permissionTimeoutDecision: z.enum(TIMEOUT_DECISIONS).default('deny'),
    /** Lifetime of a token from POST /v1/auth/sse-token. */
    sseTokenTtlSeconds: int(5, 3600).default(60),
    /** How long a dashboard login (the `aegis_session` cookie) lasts; it ends sooner with its key. */
    webSessionHours: int(1, 720).default(12),
    /** The dashboard's build (index.html and assets/); unset: dist/dashboard of the package. */
    dashboardDir: absolutePath.optional(),
    /** How long an address that failed authentication 5 times in a minute is refused. */
    lockoutMs: int(1000, 24 * 3600 * 1000).default(300_000),
    /** Requests per minute one API key may make; 0: no limit. */
    rateLimitPerKey: int(0).default(600),
    /** Requests per minute one client address may make without a key (loopback is never limited); 0: no limit. */
    rateLimitPerIp: int(0).default(3000),
    /** Event streams one API key may hold open at once. */
    maxSseStreamsPerKey: int(1, 10_000).default(10),
    /** How long a request may take to arrive whole (headers and body) before it is answered 408 REQUEST_TIMEOUT. */
    requestTimeoutMs: int(1000, 3_600_000).default(60_000),
    /**
     * Token prices in USD per million, by model: `{"<model>": {"input","output","cacheWrite","cacheRead"}}`.
     * Added to the built-in table of current Claude models (an entry here replaces its model's price).
     */
    pricing: z.record(z.string().min(1).max(200), modelPriceSchema).default({}),
    /** What happens when a session or a key reaches its budget: an interrupt, the end of the session, or only the event. */
    budgetAction: z.enum(BUDGET_ACTIONS).default('interrupt'),
    /** The audit log (docs/audit.md). */
    audit: z
      .object({
        /** Keep the text of prompts, messages, answers and rejection reasons in audit entries; otherwise only its length and SHA-256. */
        includeText: z.boolean().default(false),
        /** Remove audit entries older than this many days (hourly); unset: keep them all. */
        retentionDays: int(1, 36_500).optional(),
      })
      .strict()
      .default({ includeText: false }),
    /** How long ended sessions are kept (docs/operations.md, "Retention"). */
    sessionRetention: z
      .object({
        /** Minutes an ended session stays in the daemon's memory; past that it is read from the store and its transcript when asked for. 0: released at the next sweep. */
        memoryMinutes: int(0, 525_600).default(60),
        /** Remove the records of sessions that ended more than this many days ago (with their settings files; usage totals stay). Unset: keep them all. */
        days: int(1, 36_500).optional(),
      })
      .strict()
      .default({ memoryMinutes: 60 }),
    /** Tiers of models and the rules that route a task to one (see src/router). Unset: the default tiers, routing off. */
    modelRouter: modelRouterSchema.optional(),
    /** The /v1/memory key-value store: on unless `enabled: false`. */
    memoryBridge: memoryBridgeSchema.default(() => memoryBridgeSchema.parse({})),
    /** Claude Code's own OpenTelemetry export, pointed at the operator's collector. Unset: off. */
    claudeTelemetry: claudeTelemetrySchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.defaultPermissionProfile && !Object.hasOwn(config.permissionProfiles, config.defaultPermissionProfile)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultPermissionProfile'],
        message: `names no profile in permissionProfiles (have: ${Object.keys(config.permissionProfiles).join(', ') || 'none'})`,
      });
    }
  })
  .transform((config) => ({
    ...config,
    stateDir: resolveStateDir(config.stateDir),
    tmuxSocket: config.tmuxSocket ?? tmuxSocketFor(config.stateDir),
  }));

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

function isBaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && !url.username && !url.password;
  } catch {
    return false;
  }
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    return (url.protocol === 'http:' || url.protocol === 'https:') && bare;
  } catch {
    return false;
  }
}
