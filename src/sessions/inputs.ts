/**
 * What callers may ask of sessions, as zod schemas: the single source for request validation, the
 * TypeScript input types and the API documentation.
 */
import { z } from 'zod';
import { permissionModeSchema } from '../config/schema.js';
import { SESSION_STATUSES } from './session.js';

/** Text for Claude: non-empty, at most 1 MiB, no NUL (a terminal cannot carry it). */
const promptText = z
  .string()
  .min(1, 'must not be empty')
  .max(1024 * 1024, 'must be at most 1 MiB')
  // Other control characters would reach Claude as keys (Ctrl-C, Escape), not as text.
  .refine((s) => !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s), 'must not contain control characters other than tab and line breaks')
  .refine((s) => s.trim().length > 0, 'must not be only whitespace');

export const createSessionSchema = z
  .object({
    workDir: z.string().min(1).refine((p) => p.startsWith('/'), 'must be an absolute path'),
    prompt: promptText.optional(),
    name: z.string().min(1).max(100).regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters').optional(),
    model: z.string().min(1).max(200).regex(/^[A-Za-z0-9._:/@[\]-]+$/, 'must be a model name (letters, digits and . _ : / @ [ ] -)').optional(),
    tier: z.string().min(1).max(100).optional(),
    permissionMode: permissionModeSchema.optional(),
    permissionProfile: z.string().min(1).max(64).optional(),
    /** Idle time before the session is ended; 0 keeps it forever. */
    idleTimeoutMs: z.number().int().min(0).optional(),
    stallThresholdMs: z.number().int().min(1000).optional(),
    env: z.record(z.string(), z.string().max(32 * 1024).refine((v) => !v.includes('\0'), 'must not contain NUL characters')).optional(),
  })
  .strict();
export type CreateSessionInput = z.infer<typeof createSessionSchema>;

export const sendSchema = z.object({ text: promptText }).strict();

/** A send's own headers: an Idempotency-Key makes a retried send safe (it is never typed twice). */
export const sendHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be 1-200 visible ASCII characters')
    .optional(),
});

export const readQuerySchema = z
  .object({
    after: z.string().regex(/^\d+$/, 'must be a cursor returned as nextCursor').optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const listQuerySchema = z.object({ status: z.enum(SESSION_STATUSES).optional() }).strict();

export const approveSchema = z.object({ permissionId: z.string().min(1).optional(), always: z.boolean().optional() }).strict();

export const rejectSchema = z.object({ permissionId: z.string().min(1).optional(), message: z.string().min(1).max(10_000).optional() }).strict();

export const answerSchema = z
  .object({
    questionId: z.string().min(1).optional(),
    answer: z.string().min(1).max(10_000).regex(/^[^\x00-\x1f\x7f]+$/, 'must be one line without control characters').optional(),
    optionIndex: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((a) => (a.answer === undefined) !== (a.optionIndex === undefined), { message: 'give exactly one of answer or optionIndex', path: ['answer'] });
