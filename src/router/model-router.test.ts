/**
 * The router's rules on a table of tasks: each text goes to the tier a person would pick, the same
 * every time, with reasons that name what decided it; configured rules, tiers and default replace the
 * built-in ones; and a create's `model`, `tier` and prompt resolve to the model Claude starts with.
 */
import { describe, expect, it } from 'vitest';
import { modelRouterSchema } from '../config/model-router-schema.js';
import { AegisError } from '../errors.js';
import { ModelRouter } from './model-router.js';
import { measureTask } from './task-signals.js';

const UPSTREAM_TIERS = { fast: 'claude-3-5-haiku-20241022', standard: 'claude-sonnet-4-20250514', power: 'claude-opus-4-20250115' };
const router = new ModelRouter(modelRouterSchema.parse({ enabled: true, tiers: UPSTREAM_TIERS }));

const STEPS = ['1. add the column', '2. backfill it', '3. switch reads', '4. switch writes', '5. drop the old column'].join('\n');

const TABLE: Array<[task: string, tier: 'fast' | 'standard' | 'power']> = [
  ['Fix the typo in README.md', 'fast'],
  ['rename the variable `cnt` to `count` in src/stats.ts', 'fast'],
  ['What is the default port of the daemon?', 'fast'],
  ['Explain what src/daemon.ts does', 'fast'],
  ['Run the linter and format the code', 'fast'],
  ['Bump the version number to 1.4.2', 'fast'],
  ['Add a docstring to parseConfig', 'fast'],
  ['Summarize the last commit', 'fast'],
  ['List the TODO comments', 'fast'],
  ['Add input validation to the signup form and a test for it', 'standard'],
  ['The login page shows a blank screen after the latest deploy; find the bug and fix it', 'standard'],
  ['Write unit tests for src/cart.ts and src/pricing.ts', 'standard'],
  ['Implement pagination for GET /users', 'standard'],
  ['Add a --verbose flag to the CLI that prints each request', 'standard'],
  ['Redesign the session storage layer so it can run on Postgres', 'power'],
  ['Plan the migration of our REST API to GraphQL', 'power'],
  ['There is a race condition in the job queue under load: investigate why and fix it', 'power'],
  ['Update src/a.ts, src/b.ts, src/c.ts, lib/d.py and docs/e.md to use the new logger', 'power'],
  [STEPS, 'power'],
  ['Do a security audit of the authentication code', 'power'],
  [`Refactor the helpers. ${'Keep the behaviour the same and the names clear. '.repeat(80)}`, 'power'],
  // A fast word in a long, many-step task is not a small task.
  ['Fix the typo in the README, then update the API docs, then regenerate the client, then publish it', 'standard'],
  // Words match whole: "formatted" is not "format", "listener" is not "list".
  ['Make the listener return formatted errors', 'standard'],
];

describe('the model router', () => {
  it.each(TABLE.map(([task, tier]) => [task.length > 80 ? `${task.slice(0, 80)}…` : task, tier, task] as const))('routes %j to %s', (_label, tier, task) => {
    const decision = router.route(task);
    expect(decision.tier).toBe(tier);
    expect(decision.model).toBe(UPSTREAM_TIERS[tier]);
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  it('has a table of at least 20 tasks covering every tier', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(20);
    expect(new Set(TABLE.map(([, tier]) => tier))).toEqual(new Set(['fast', 'standard', 'power']));
  });

  it('is deterministic and says what decided', () => {
    const task = 'Migrate the billing service off the legacy queue';
    expect(router.route(task)).toEqual(router.route(task));
    expect(router.route(task).reasons).toEqual(['rule 1 (power): mentions "migrate"']);
    expect(router.route('Fix the typo in README.md').reasons).toEqual(['rule 5 (fast): mentions "typo", "readme"; 25 characters (at most 300); 1 file (at most 1); 1 step (at most 1)']);
    expect(router.route('Add a health check').reasons).toEqual(['no rule matched (18 characters, 0 files, 1 step): the default tier standard']);
    expect(router.route(STEPS).reasons[0]).toMatch(/5 steps \(at least 5\)/);
  });

  it('counts files, steps and length from the text', () => {
    expect(measureTask('edit src/a.ts and ./scripts/run then README.md, src/a.ts again, e.g. v1.2.3, and/or foo.bar').files).toEqual(['src/a.ts', './scripts/run', 'README.md']);
    expect(measureTask('look under src/router/ for it').files).toEqual(['src/router/']);
    expect(measureTask('- one\n- two\n- three').steps).toBe(3);
    expect(measureTask('build it, then test it, and finally ship it').steps).toBe(3);
    expect(measureTask('  hello  ').chars).toBe(5);
  });

  it('takes configured rules, tiers and default tier', () => {
    const custom = new ModelRouter(
      modelRouterSchema.parse({
        tiers: { small: 'haiku', big: 'opus' },
        defaultTier: 'small',
        rules: [{ tier: 'big', keywords: ['kubernetes'] }, { tier: 'big', minFiles: 2, maxChars: 100 }],
      }),
    );
    expect(custom.route('Write the Kubernetes manifests').tier).toBe('big');
    expect(custom.route('touch a.ts and b.ts').reasons).toEqual(['rule 2 (big): 19 characters (at most 100); 2 files (at least 2)']);
    expect(custom.route('Redesign everything').tier).toBe('small');
    expect(custom.tiers()).toEqual([{ name: 'small', model: 'haiku', default: true }, { name: 'big', model: 'opus', default: false }]);
  });

  it('leaves out built-in rules whose tier is not configured, and defaults to standard or the first tier', () => {
    const two = new ModelRouter(modelRouterSchema.parse({ tiers: { standard: 'sonnet', power: 'opus' } }));
    expect(two.route('Fix the typo in README.md').tier).toBe('standard');
    expect(two.route('Redesign the scheduler').tier).toBe('power');
    expect(new ModelRouter(modelRouterSchema.parse({ tiers: { only: 'sonnet' } })).route('anything').tier).toBe('only');
  });

  it('refuses rules and a default that name no tier, and rules without a condition', () => {
    const issues = (value: unknown) => modelRouterSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ tiers: { fast: 'haiku' }, defaultTier: 'slow' })).toEqual(['defaultTier: names no tier in tiers (have: fast)']);
    expect(issues({ tiers: { fast: 'haiku' }, rules: [{ tier: 'power', minFiles: 3 }] })).toEqual(['rules.0.tier: names no tier in tiers (have: fast)']);
    expect(issues({ rules: [{ tier: 'fast' }] })).toEqual(['rules.0: a rule needs at least one condition besides its tier']);
    expect(issues({ tiers: { fast: '--dangerously-skip-permissions' } })?.[0]).toMatch(/^tiers.fast: must be a model name/);
  });

  describe('choosing the model of a create', () => {
    const off = new ModelRouter(modelRouterSchema.parse({ tiers: UPSTREAM_TIERS }));

    it('takes the model asked for over a tier, and a tier\'s model over routing', () => {
      expect(router.choose({ model: 'claude-x', tier: 'fast', prompt: 'Redesign it' }, null)).toEqual({ model: 'claude-x', tier: null });
      expect(router.choose({ tier: 'fast', prompt: 'Redesign it' }, 'sonnet')).toEqual({ model: UPSTREAM_TIERS.fast, tier: 'fast' });
      expect(off.choose({ tier: 'power' }, null)).toEqual({ model: UPSTREAM_TIERS.power, tier: 'power' });
    });

    it('routes the prompt when routing is on and neither is given; else the default model', () => {
      expect(router.choose({ prompt: 'Redesign the session storage layer' }, 'sonnet')).toEqual({ model: UPSTREAM_TIERS.power, tier: 'power' });
      expect(router.choose({}, 'sonnet')).toEqual({ model: 'sonnet', tier: null });
      expect(off.choose({ prompt: 'Redesign the session storage layer' }, null)).toEqual({ model: null, tier: null });
    });

    it('refuses an unknown tier with 400 naming the field, even beside a model', () => {
      for (const asked of [{ tier: 'turbo' }, { tier: 'turbo', model: 'opus' }]) {
        let error: unknown;
        try {
          router.choose(asked, null);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(AegisError);
        expect(error).toMatchObject({ code: 'INVALID_REQUEST', status: 400, details: { issues: [{ path: 'tier' }] } });
        expect((error as Error).message).toBe('tier "turbo" is not a configured tier (fast, standard, power)');
      }
    });
  });
});
