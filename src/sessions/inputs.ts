/**
 * What callers may ask of sessions, as zod schemas: the single source for request validation, the
 * TypeScript input types and the API documentation.
 */
import { z } from 'zod';
import { modelNameSchema } from '../config/model-router-schema.js';
import { permissionModeSchema } from '../config/schema.js';
import { sessionBudgetFields } from '../auth/key-inputs.js';
import { LISTED_STATUSES } from './session-record.js';

/** C0 controls and DEL other than tab and line breaks: a terminal takes them as keys (Ctrl-C, Escape). */
const C0_KEYS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
/** C1 controls: a terminal takes them as control sequences (U+009B is CSI) or line breaks (U+0085). */
const C1_CONTROLS = /[\u0080-\u009f]/;
/** Claude turns these into plain line breaks, so the text it records would not be the text sent. */
const LINE_SEPARATORS = /[\u2028\u2029]/;
/**
 * Bidirectional embedding, override and isolate controls: Claude removes them from a prompt and holds
 * what is left for the user to review, so the text would never be submitted as sent.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;
/** Characters no terminal draws (format characters, variation selectors): text of nothing else is empty to Claude. */
const INVISIBLE = /[\s\p{Cf}\ufe00-\ufe0f]/gu;
/**
 * Claude's transcript records its own slash commands as a user message beginning with this tag, so a
 * prompt beginning with it could not be told from one (it would be missing from /read).
 */
const COMMAND_TAG = /^\s*<command-name>/;
/**
 * Invisible format characters (zero-width spaces and joiners, bidi marks, embeddings, overrides and
 * isolates, the soft hyphen, the byte order mark) and line or paragraph separators: in a name they
 * make it look like another name, or read backwards, in `aegis list` and tmux.
 */
const HIDDEN_IN_NAMES = /[\p{Cf}\p{Zl}\p{Zp}]/u;
const C1_MESSAGE = 'must not contain C1 control characters (U+0080 to U+009F): a terminal takes them as control sequences or line breaks';
const SEPARATOR_MESSAGE = 'must not contain U+2028 or U+2029: Claude receives them as plain line breaks; send \\n instead';

/**
 * Text typed into Claude's terminal: non-empty, at most `max` characters, and only characters that
 * arrive as themselves (tab and line breaks included; NUL, keys, C1 controls, U+2028/U+2029 and
 * bidirectional controls not), not mistaken for one of Claude's own records.
 */
const terminalText = (max: number, maxMessage: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, maxMessage)
    .refine((s) => !C0_KEYS.test(s), 'must not contain control characters other than tab and line breaks')
    .refine((s) => !C1_CONTROLS.test(s), C1_MESSAGE)
    .refine((s) => !LINE_SEPARATORS.test(s), SEPARATOR_MESSAGE)
    .refine((s) => !BIDI_CONTROLS.test(s), 'must not contain bidirectional controls (U+202A to U+202E, U+2066 to U+2069): Claude removes them and holds the rest for review')
    .refine((s) => !COMMAND_TAG.test(s), 'must not start with <command-name>: Claude\'s transcript marks its own slash commands so, and the message could not be read back')
    .refine((s) => s.replace(INVISIBLE, '').length > 0, 'must not be only whitespace or invisible characters');

/** Text for Claude's prompt: up to 1 MiB. */
const promptText = terminalText(1024 * 1024, 'must be at most 1 MiB');

/** A session's name: one visible line, which looks like no other name. */
const sessionName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters')
  .refine((s) => !C1_CONTROLS.test(s), C1_MESSAGE)
  .superRefine((s, ctx) => {
    const found = HIDDEN_IN_NAMES.exec(s)?.[0];
    if (found === undefined) return;
    const codePoint = `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    ctx.addIssue({ code: 'custom', message: `must not contain invisible or bidi control characters (it holds ${codePoint}): they make a name look like another one` });
  });

export const createSessionSchema = z
  .object({
    workDir: z.string().min(1).refine((p) => p.startsWith('/'), 'must be an absolute path'),
    prompt: promptText.optional(),
    name: sessionName.optional(),
    // Passed to Claude as `--model <name>`: a name starting with `-` would be read as another flag.
    model: modelNameSchema.optional(),
    /** A configured tier of `modelRouter.tiers`: Claude starts with its model (`model` wins). */
    tier: z.string().min(1).max(100).optional(),
    permissionMode: permissionModeSchema.optional(),
    permissionProfile: z.string().min(1).max(64).optional(),
    /** Idle time before the session is ended; 0 keeps it forever. */
    idleTimeoutMs: z.number().int().min(0).optional(),
    stallThresholdMs: z.number().int().min(1000).optional(),
    env: z.record(z.string(), z.string().max(32 * 1024).refine((v) => !v.includes('\0'), 'must not contain NUL characters')).optional(),
    ...sessionBudgetFields,
  })
  .strict();
export type CreateSessionInput = z.infer<typeof createSessionSchema>;

export const sendSchema = z.object({ text: promptText }).strict();

/** A send's own headers: an Idempotency-Key makes a retried send safe (it is never typed twice). */
/** `Idempotency-Key`, which makes a send or a create safe to retry. */
export const idempotencyHeadersSchema = z.object({
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
    limit: z.string().regex(/^[0-9]+$/, 'must be a whole number in decimal digits').transform(Number).pipe(z.number().int().min(1).max(1000)).default(200),
  })
  .strict();

export const listQuerySchema = z.object({ status: z.enum(LISTED_STATUSES).optional() }).strict();

export const approveSchema = z.object({ permissionId: z.string().min(1).optional(), always: z.boolean().optional() }).strict();

/** A rejection's message is typed into Claude's prompt when the dialog was on the screen. */
export const rejectSchema = z.object({ permissionId: z.string().min(1).optional(), message: terminalText(10_000, 'must be at most 10000 characters').optional() }).strict();

export const answerSchema = z
  .object({
    questionId: z.string().min(1).optional(),
    answer: z
      .string()
      .min(1)
      .max(10_000)
      .regex(/^[^\x00-\x1f\x7f]+$/, 'must be one line without control characters')
      .refine((s) => !C1_CONTROLS.test(s), C1_MESSAGE)
      .refine((s) => !LINE_SEPARATORS.test(s), SEPARATOR_MESSAGE)
      .optional(),
    optionIndex: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((a) => (a.answer === undefined) !== (a.optionIndex === undefined), { message: 'give exactly one of answer or optionIndex', path: ['answer'] });
