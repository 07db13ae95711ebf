/**
 * The `modelRouter` configuration: the tiers (a name for a model, e.g. `fast` for a Haiku), the tier a
 * task gets when no rule matches, and the rules that route a task by its text. Rules are plain data, so
 * an operator can read, reorder and replace them; src/router applies them.
 */
import { z } from 'zod';

/** A model name as Claude's `--model` takes it; one starting with `-` would be read as another flag. */
export const modelNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!-)[A-Za-z0-9._:/@[\]-]+$/, 'must be a model name (letters, digits and . _ : / @ [ ] -, not starting with -)');

export const tierNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'tier names use 1-64 letters, digits, "_" or "-"');

/** Claude Code's own aliases: each always names the current model of its family. */
export const DEFAULT_TIERS: Readonly<Record<string, string>> = { fast: 'haiku', standard: 'sonnet', power: 'opus' };
export const DEFAULT_TIER = 'standard';

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * One rule: the tier a task gets when every condition given holds (a rule with `keywords` needs one of
 * them in the task). Rules are tried in order; the first that matches decides.
 */
export const routeRuleSchema = z
  .object({
    tier: tierNameSchema,
    /** Words or phrases, matched whole and without regard to case. */
    keywords: z.array(z.string().trim().min(1).max(100)).min(1).max(500).optional(),
    minChars: count.optional(),
    maxChars: count.optional(),
    minFiles: count.optional(),
    maxFiles: count.optional(),
    minSteps: count.optional(),
    maxSteps: count.optional(),
  })
  .strict()
  .refine((rule) => Object.keys(rule).length > 1, 'a rule needs at least one condition besides its tier');
export type RouteRule = z.infer<typeof routeRuleSchema>;

/**
 * The rules used when the configuration gives none: large or architectural work to `power`, small
 * mechanical edits to `fast`, everything else to the default tier. Rules naming a tier the
 * configuration does not have are left out.
 */
export const DEFAULT_RULES: readonly RouteRule[] = [
  {
    tier: 'power',
    keywords: [
      'architecture', 'architect', 'redesign', 're-architect', 'migrate', 'migration', 'security audit', 'threat model',
      'race condition', 'deadlock', 'concurrency', 'memory leak', 'performance regression', 'distributed', 'from scratch',
      'rewrite', 'overhaul', 'design a', 'design the', 'investigate why', 'root cause',
    ],
  },
  { tier: 'power', minFiles: 5 },
  { tier: 'power', minSteps: 5 },
  { tier: 'power', minChars: 3000 },
  {
    tier: 'fast',
    keywords: [
      'typo', 'typos', 'spelling', 'rename', 'reformat', 'format', 'lint', 'comment', 'docstring', 'changelog', 'readme',
      'bump', 'version number', 'list', 'summarize', 'summarise', 'what is', 'what does', 'explain', 'print', 'show me', 'count',
    ],
    maxChars: 300,
    maxFiles: 1,
    maxSteps: 1,
  },
];

export const modelRouterSchema = z
  .object({
    /** On: a create with neither `model` nor `tier` gets the model its prompt routes to. */
    enabled: z.boolean().default(false),
    tiers: z.record(tierNameSchema, modelNameSchema).default(() => ({ ...DEFAULT_TIERS })),
    /** The tier of a task no rule matches. Unset: `standard` when configured, else the first tier. */
    defaultTier: tierNameSchema.optional(),
    rules: z.array(routeRuleSchema).max(1000).optional(),
  })
  .strict()
  .superRefine((router, ctx) => {
    const names = Object.keys(router.tiers);
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['tiers'], message: 'needs at least one tier' });
    const known = names.join(', ') || 'none';
    if (router.defaultTier !== undefined && !Object.hasOwn(router.tiers, router.defaultTier)) {
      ctx.addIssue({ code: 'custom', path: ['defaultTier'], message: `names no tier in tiers (have: ${known})` });
    }
    router.rules?.forEach((rule, index) => {
      if (!Object.hasOwn(router.tiers, rule.tier)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'tier'], message: `names no tier in tiers (have: ${known})` });
    });
  })
  .transform((router) => ({
    enabled: router.enabled,
    tiers: router.tiers,
    defaultTier: router.defaultTier ?? (Object.hasOwn(router.tiers, DEFAULT_TIER) ? DEFAULT_TIER : Object.keys(router.tiers)[0]!),
    rules: router.rules ?? DEFAULT_RULES.filter((rule) => Object.hasOwn(router.tiers, rule.tier)),
  }));
export type ModelRouterConfig = z.output<typeof modelRouterSchema>;
