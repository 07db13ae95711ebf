/**
 * What a session is on record: the persisted document (validated by zod whenever it is read back),
 * its public view (the contract's Session object) and the statuses it moves through. The record
 * carries a few internal fields (tmux ids, the hook secret's hash) that never leave the daemon.
 */
import { z } from 'zod';
import { permissionModeSchema } from '../config/schema.js';

export const SESSION_STATUSES = ['starting', 'idle', 'working', 'permission_prompt', 'asking', 'stalled', 'exited'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
/**
 * What a list may be filtered by: the statuses, and `owner_unreachable`, which a session shows only in a
 * cluster whose node running it is unreachable (never on a daemon alone: the filter finds none).
 */
export const LISTED_STATUSES = [...SESSION_STATUSES, 'owner_unreachable'] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];

export const EXIT_REASONS = ['claude_exited', 'window_closed', 'deleted', 'reaped', 'tmux_died', 'lost', 'start_failed', 'budget_exceeded'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

const count = z.number().finite().min(0);

const tokenCounts = {
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
};

/**
 * Tokens and cost, per model and together. A model without a price has `costUsd: null`; the total
 * cost sums the priced models (null when none was priced).
 */
export const usageSchema = z.object({
  ...tokenCounts,
  costUsd: count.nullable(),
  byModel: z.array(z.object({ model: z.string(), ...tokenCounts, costUsd: count.nullable() })).default([]),
});
export type SessionUsage = z.infer<typeof usageSchema>;
export const NO_USAGE: SessionUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, byModel: [] };

export const exitInfoSchema = z.object({
  reason: z.enum(EXIT_REASONS),
  exitCode: z.number().int().nullable(),
  at: z.string(),
  /** The last screen Claude showed, kept for GET after the window is gone. */
  lastScreen: z.string().nullable(),
  /** What to do about it, when Aegis can tell (a session that failed to start says why it likely did). */
  hint: z.string().optional(),
});
export type ExitInfo = z.infer<typeof exitInfoSchema>;

/**
 * A send made with an Idempotency-Key, kept with the session so a retry after a restart is still
 * known: the text's SHA-256 (never the text) and whether Claude confirmed it.
 */
export const rememberedDeliverySchema = z.object({ key: z.string(), textSha256: z.string(), delivered: z.boolean() });
export type RememberedDelivery = z.infer<typeof rememberedDeliverySchema>;
/** A create by Idempotency-Key that made or reused the session: the key, a digest of its request, and whether it reused it. */
export const rememberedCreateSchema = z.object({ key: z.string(), requestSha256: z.string(), reused: z.boolean() });
export type RememberedCreate = z.infer<typeof rememberedCreateSchema>;
/** A permission request or question that was pending when the record was saved: a restart finds its dialog again under the same id. */
export const rememberedRequestSchema = z.object({ id: z.string(), kind: z.enum(['permission', 'question']), toolName: z.string(), createdAt: z.string() });
export type RememberedRequest = z.infer<typeof rememberedRequestSchema>;

export const sessionRecordSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  workDir: z.string(),
  status: z.enum(SESSION_STATUSES),
  model: z.string().nullable(),
  permissionMode: permissionModeSchema,
  permissionProfile: z.string().nullable(),
  createdAt: z.string(),
  lastActivityAt: z.string(),
  statusChangedAt: z.string(),
  ownerKeyId: z.string().nullable(),
  usage: usageSchema,
  exit: exitInfoSchema.nullable(),
  /** Per-session overrides of the daemon's idle timeout and stall threshold (null: the daemon's). */
  idleTimeoutMs: z.number().int().min(0).nullable(),
  stallThresholdMs: z.number().int().min(0).nullable(),
  windowId: z.string(),
  paneId: z.string(),
  panePid: z.number().int().min(0),
  /** When the pane's process started (see processStartTime): a pid is signalled only while it matches. */
  panePidStartTime: z.string().nullable().default(null),
  hookSecretHash: z.string(),
  /** The transcript Claude writes now, and those it wrote before it (after /clear), oldest first. */
  transcriptPath: z.string(),
  earlierTranscripts: z.array(z.string()).default([]),
  /** Recent sends by Idempotency-Key, oldest first (records written before they were kept have none). */
  deliveries: z.array(rememberedDeliverySchema).default([]),
  /** The creates by Idempotency-Key that made or reused the session, oldest first. */
  creates: z.array(rememberedCreateSchema).default([]),
  /** The requests pending when the record was last saved. */
  openRequests: z.array(rememberedRequestSchema).default([]),
  /** The session's budget: its cost in USD and its tokens (all four kinds), null for none. */
  maxCostUsd: z.number().finite().positive().nullable().default(null),
  maxTokens: z.number().int().positive().nullable().default(null),
  /** Whom its usage is charged to: the owner key's id, `master` or `local` (unset in older records: see accountOf). */
  account: z.string().optional(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** The contract's Session object: the record's public fields, what is pending, and where it runs in tmux. */
export type SessionView = Pick<
  SessionRecord,
  'id' | 'name' | 'workDir' | 'status' | 'model' | 'permissionMode' | 'permissionProfile' | 'createdAt' | 'lastActivityAt' | 'ownerKeyId' | 'usage' | 'exit' | 'maxCostUsd' | 'maxTokens'
> & {
  pendingPermission: unknown;
  pendingQuestion: unknown;
  tmux: { windowId: string; paneId: string };
};

/** Whom a session's usage is charged to; records from before it was kept were the owner key's or the master token's. */
export function accountOf(record: Pick<SessionRecord, 'account' | 'ownerKeyId'>): string {
  return record.account ?? record.ownerKeyId ?? 'master';
}

export interface PendingViews {
  pendingPermission: unknown;
  pendingQuestion: unknown;
}

export function sessionView(record: SessionRecord, pending: PendingViews): SessionView {
  return {
    id: record.id,
    name: record.name,
    workDir: record.workDir,
    status: record.status,
    model: record.model,
    permissionMode: record.permissionMode,
    permissionProfile: record.permissionProfile,
    createdAt: record.createdAt,
    lastActivityAt: record.lastActivityAt,
    ownerKeyId: record.ownerKeyId,
    pendingPermission: pending.pendingPermission,
    pendingQuestion: pending.pendingQuestion,
    // Copies: a view outlives the moment it was taken (in an event, an answer), the record changes on.
    usage: { ...record.usage, byModel: record.usage.byModel.map((m) => ({ ...m })) },
    maxCostUsd: record.maxCostUsd,
    maxTokens: record.maxTokens,
    exit: record.exit && structuredClone(record.exit),
    tmux: { windowId: record.windowId, paneId: record.paneId },
  };
}
