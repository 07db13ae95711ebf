/** What a caller may ask of the key routes, as zod schemas: validation, input types and documentation. */
import { z } from 'zod';
import { ROLE_NAMES, SCOPES, type Role } from './scopes.js';

/**
 * A session's budget: its cost in USD and its tokens (all four kinds together). Positive and finite;
 * beyond a million dollars or a trillion tokens it is a typo, not a budget.
 */
export const sessionBudgetFields = {
  maxCostUsd: z.number().positive().max(1_000_000).optional(),
  maxTokens: z.number().int().positive().max(1_000_000_000_000).optional(),
};

const absolutePath = z.string().min(1).max(4096).refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute path');

export const createKeySchema = z
  .object({
    name: z.string().min(1).max(100).regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters'),
    role: z.enum(ROLE_NAMES as [Role, ...Role[]]).optional(),
    scopes: z.array(z.enum(SCOPES)).min(1).optional(),
    /** Days until the key stops working; unset: it never expires. */
    expiresInDays: z.number().positive().max(3650).optional(),
    maxSessions: z.number().int().min(1).max(10_000).optional(),
    allowedWorkdirs: z.array(absolutePath).max(100).optional(),
    permissionProfile: z.string().min(1).max(64).optional(),
    /** What the key may spend per UTC day, in USD. */
    budgetUsd: z.number().positive().max(1_000_000).optional(),
    /** The budget of each of its sessions (a create may ask for less, not more). */
    ...sessionBudgetFields,
  })
  .strict()
  // Neither: the key is a viewer (DEFAULT_KEY_ROLE).
  .refine((k) => k.role === undefined || k.scopes === undefined, { message: 'give one of role or scopes, not both', path: ['role'] });
export type CreateKeyInput = z.infer<typeof createKeySchema>;

export const rotateKeySchema = z
  .object({
    /** How long the replaced secret keeps working; default one hour, 0 ends it at once. */
    graceSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional(),
  })
  .strict();
export type RotateKeyInput = z.infer<typeof rotateKeySchema>;

export const keyParamsSchema = z.object({ id: z.string().min(1).max(100) });
