/**
 * The daemon's configuration: one zod schema is the single source for validation, defaults and
 * the `Config` type. Values come from aegis.config.json and the environment (see load.ts).
 */
import { z } from 'zod';
import { profileSchema, TIMEOUT_DECISIONS } from '../permissions/policy.js';
import { DEFAULT_STATE_DIR, resolveStateDir, tmuxSocketFor } from './paths.js';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk', 'auto'] as const;
export const permissionModeSchema = z.enum(PERMISSION_MODES);
export type PermissionMode = z.infer<typeof permissionModeSchema>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const tmuxName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 letters, digits, "_", "." or "-"');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');

export const configSchema = z
  .object({
    port: int(0, 65535).default(9100),
    host: z.string().min(1).default('127.0.0.1'),
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
    /** What happens to a stalled session: only the `stalled` event, an interrupt, or the end of it. */
    stallAction: z.enum(['notify', 'interrupt', 'kill']).default('notify'),
    claudeCommand: z.string().min(1).default('claude'),
    allowedWorkdirs: z.array(absolutePath).default([]),
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
