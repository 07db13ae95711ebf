/**
 * What the audit routes take, as zod schemas (the HTTP layer validates with them and describes them in
 * OpenAPI): a time range, exact matches on actor, action and session, and a cursor for the next page.
 */
import { z } from 'zod';
import { EXPORT_FORMATS } from './export.js';

/** An ISO-8601 time, normalised to UTC with milliseconds (the form entries are stored in), so ranges compare as text. */
const isoTime = z
  .string()
  .max(64)
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'must be an ISO-8601 time such as 2026-01-31T12:00:00Z')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'is not a real time')
  .transform((value) => new Date(value).toISOString());

const name = z.string().min(1).max(200);

const range = {
  /** Entries at or after this time. */
  start: isoTime.optional(),
  /** Entries before this time. */
  end: isoTime.optional(),
  actor: name.optional(),
  action: name.optional(),
  sessionId: name.optional(),
};

export const auditQuerySchema = z
  .object({
    ...range,
    limit: z.string().regex(/^[0-9]+$/, 'must be a whole number in decimal digits').transform(Number).pipe(z.number().int().min(1).max(1000)).default(100),
    cursor: z.string().regex(/^\d{1,15}$/, 'must be a cursor returned as nextCursor').optional(),
  })
  .strict();

export const auditExportQuerySchema = z.object({ ...range, format: z.enum(EXPORT_FORMATS).default('csv') }).strict();

export type AuditListQuery = z.infer<typeof auditQuerySchema>;
