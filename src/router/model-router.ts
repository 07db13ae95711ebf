/**
 * The model router: which tier, and so which model, a task goes to, by rules on its text that an
 * operator can read and change (`modelRouter.rules`). Deterministic: the same text and rules always give
 * the same tier, with the reasons that decided it. It also resolves what a create asks for (a `model`,
 * a `tier`, or neither) to the model Claude starts with.
 */
import { modelRouterSchema, type ModelRouterConfig, type RouteRule } from '../config/model-router-schema.js';
import { AegisError } from '../errors.js';
import { measureTask, type TaskSignals } from './task-signals.js';

export interface RouteDecision {
  tier: string;
  model: string;
  /** Why, one line a reason: the rule that matched and what it saw, or that none did. */
  reasons: string[];
}

export interface TierView {
  name: string;
  model: string;
  default: boolean;
}

/** What a create asked for, and the model it gets: the `model` given, a tier's, or (routing on) the prompt's tier's. */
export interface ModelChoice {
  model: string | null;
  tier: string | null;
}

export class ModelRouter {
  private readonly config: ModelRouterConfig;
  private readonly keywordPatterns: Map<RouteRule, Array<{ keyword: string; pattern: RegExp }>>;

  constructor(config: ModelRouterConfig | undefined) {
    this.config = config ?? modelRouterSchema.parse({});
    this.keywordPatterns = new Map(this.config.rules.map((rule) => [rule, (rule.keywords ?? []).map((keyword) => ({ keyword, pattern: wholeWords(keyword) }))]));
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  tiers(): TierView[] {
    return Object.entries(this.config.tiers).map(([name, model]) => ({ name, model, default: name === this.config.defaultTier }));
  }

  /** The model of a tier; an unknown tier is `400 INVALID_REQUEST` naming the `tier` field. */
  modelOf(tier: string): string {
    if (!Object.hasOwn(this.config.tiers, tier)) {
      const known = Object.keys(this.config.tiers).join(', ');
      throw new AegisError('INVALID_REQUEST', `tier ${JSON.stringify(tier)} is not a configured tier (${known})`, {
        issues: [{ path: 'tier', message: `unknown tier; known: ${known}` }],
      });
    }
    return this.config.tiers[tier]!;
  }

  route(task: string): RouteDecision {
    const signals = measureTask(task);
    for (const [index, rule] of this.config.rules.entries()) {
      const seen = this.matches(rule, signals, task);
      if (seen) return { tier: rule.tier, model: this.modelOf(rule.tier), reasons: [`rule ${index + 1} (${rule.tier}): ${seen.join('; ')}`] };
    }
    const { defaultTier } = this.config;
    return {
      tier: defaultTier,
      model: this.modelOf(defaultTier),
      reasons: [`no rule matched (${signals.chars} characters, ${plural(signals.files.length, 'file')}, ${plural(signals.steps, 'step')}): the default tier ${defaultTier}`],
    };
  }

  /**
   * The model a create starts Claude with. `model` wins (a `tier` given with it is still checked); then
   * `tier`; then, routing on and a prompt given, the prompt's tier; else `fallback` (the daemon's default model).
   */
  choose(asked: { model?: string | undefined; tier?: string | undefined; prompt?: string | undefined }, fallback: string | null): ModelChoice {
    const tierModel = asked.tier === undefined ? undefined : this.modelOf(asked.tier);
    if (asked.model !== undefined) return { model: asked.model, tier: null };
    if (asked.tier !== undefined) return { model: tierModel!, tier: asked.tier };
    if (this.config.enabled && asked.prompt !== undefined) {
      const decision = this.route(asked.prompt);
      return { model: decision.model, tier: decision.tier };
    }
    return { model: fallback, tier: null };
  }

  /** What a rule saw, one phrase a condition, when all its conditions hold; null when one does not. */
  private matches(rule: RouteRule, signals: TaskSignals, task: string): string[] | null {
    const seen: string[] = [];
    const keywords = this.keywordPatterns.get(rule) ?? [];
    if (keywords.length > 0) {
      const found = keywords.filter(({ pattern }) => pattern.test(task)).map(({ keyword }) => JSON.stringify(keyword));
      if (found.length === 0) return null;
      seen.push(`mentions ${found.join(', ')}`);
    }
    const bounds: Array<[number, number | undefined, number | undefined, string]> = [
      [signals.chars, rule.minChars, rule.maxChars, 'character'],
      [signals.files.length, rule.minFiles, rule.maxFiles, 'file'],
      [signals.steps, rule.minSteps, rule.maxSteps, 'step'],
    ];
    for (const [value, min, max, unit] of bounds) {
      if (min !== undefined && value < min) return null;
      if (max !== undefined && value > max) return null;
      if (min !== undefined) seen.push(`${plural(value, unit)} (at least ${min})`);
      if (max !== undefined) seen.push(`${plural(value, unit)} (at most ${max})`);
    }
    return seen;
  }
}

/** A keyword or phrase matched whole, without regard to case, with any run of spaces between its words. */
function wholeWords(keyword: string): RegExp {
  const body = keyword.trim().split(/\s+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'iu');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
