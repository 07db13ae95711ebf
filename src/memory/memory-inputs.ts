/**
 * What callers may send to /v1/memory, as zod schemas. Keys are data, never paths: a restricted
 * alphabet in `/`-separated segments, none of them `.` or `..`, so a key reads the same in a URL, a
 * log line and a listing, and cannot be mistaken for a path by anything that later uses it as one.
 */
import { z } from 'zod';

/** Long enough for a namespaced name; a URL path segment (`/v1/memory/:key`) holds up to 100. */
export const MAX_KEY_LENGTH = 100;
/** A key beginning with this is in the one namespace every caller shares. */
export const SHARED_PREFIX = 'shared/';
/** Ten years: an entry meant to live longer should not expire. */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

const KEY_CHARS = /^[A-Za-z0-9._:@+=/-]*$/;
const SEGMENTED = /^[^/]+(?:\/[^/]+)*$/;
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;
const KEY_RULE = 'letters, digits and . _ : @ + = -, in segments separated by single "/" (none of them "." or "..")';

export const memoryKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`)
  .regex(KEY_CHARS, `must use only ${KEY_RULE}`)
  .regex(SEGMENTED, `must be ${KEY_RULE}`)
  .refine((key) => !DOT_SEGMENT.test(key), `must not have a "." or ".." segment: use ${KEY_RULE}`);

export const memoryKeyParamsSchema = z.object({ key: memoryKeySchema }).strict();

export const putMemorySchema = z
  .object({
    key: memoryKeySchema,
    /** Any JSON value; its size is the length of its JSON text. */
    value: z.unknown().refine((value) => value !== undefined, 'is required: any JSON value'),
    ttlSeconds: z.number().int('must be a whole number').min(1).max(MAX_TTL_SECONDS).optional(),
  })
  .strict();
export type PutMemoryInput = z.infer<typeof putMemorySchema>;

export const listMemoryQuerySchema = z
  .object({
    prefix: z.string().max(MAX_KEY_LENGTH).regex(KEY_CHARS, `must use only ${KEY_RULE}`).default(''),
    limit: z.string().regex(/^[0-9]+$/, 'must be a whole number in decimal digits').transform(Number).pipe(z.number().int().min(1).max(1000)).default(100),
  })
  .strict();
