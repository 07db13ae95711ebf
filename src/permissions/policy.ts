/**
 * Permission policies: named profiles of rules that decide a tool call without a person. Rules are
 * tried in order and the first that matches decides (`allow`, `deny`, or `ask` a person); a call no
 * rule matches is asked. Pure functions, validated by zod.
 */
import { z } from 'zod';

const toolPattern = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const ruleSchema = z
  .object({
    /** A name for the rule, reported with the decisions it makes. */
    name: z.string().min(1).optional(),
    /** Tool name(s), glob patterns allowed: "Bash", ["Read", "Glob", "Grep"], "mcp__*". */
    tool: toolPattern,
    /** Glob over the tool's main input (a Bash command, a file path, a URL, a search pattern). */
    match: z.string().min(1).optional(),
    decision: z.enum(['allow', 'deny', 'ask']),
    /** For deny: what Claude is told. */
    message: z.string().min(1).optional(),
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema>;

export const TIMEOUT_DECISIONS = ['deny', 'allow'] as const;

export const profileSchema = z
  .object({
    rules: z.array(ruleSchema).default([]),
    /** How long a request may wait for a person before `onTimeout` decides it. */
    timeoutMs: z.number().int().min(1000).optional(),
    onTimeout: z.enum(TIMEOUT_DECISIONS).optional(),
  })
  .strict();
export type Profile = z.infer<typeof profileSchema>;

export interface RuleDecision {
  decision: 'allow' | 'deny' | 'ask';
  rule: string;
  message?: string;
}

/** The permission settings of a configuration (the shape of Config's, without depending on it). */
export interface PermissionSettings {
  permissionProfiles: Record<string, Profile>;
  permissionTimeoutMs: number;
  permissionTimeoutDecision: (typeof TIMEOUT_DECISIONS)[number];
}

/** How long a session's requests may wait, and what the timeout decides: its profile's, else the daemon's. */
export function permissionTimeout(settings: PermissionSettings, profileName: string | null): { timeoutMs: number; onTimeout: 'allow' | 'deny' } {
  const profile = profileName && Object.hasOwn(settings.permissionProfiles, profileName) ? settings.permissionProfiles[profileName] : undefined;
  return {
    timeoutMs: profile?.timeoutMs ?? settings.permissionTimeoutMs,
    onTimeout: profile?.onTimeout ?? settings.permissionTimeoutDecision,
  };
}

/** The input a rule's `match` is compared with, per tool. */
export function matchSubject(toolName: string, toolInput: unknown): string | null {
  if (typeof toolInput !== 'object' || toolInput === null) return null;
  const input = toolInput as Record<string, unknown>;
  for (const key of ['command', 'file_path', 'notebook_path', 'path', 'url', 'pattern', 'query']) {
    if (typeof input[key] === 'string') return input[key] as string;
  }
  return toolName === 'Bash' ? null : JSON.stringify(input);
}

/** Shell syntax that chains or redirects commands: an allow rule never reaches past it unless it says so. */
const SHELL_CONTROL = [';', '&', '|', '`', '$(', '>', '<', '\n'];

export function evaluate(profileName: string, profile: Profile | undefined, toolName: string, toolInput: unknown): RuleDecision | null {
  if (!profile) return null;
  const subject = matchSubject(toolName, toolInput);
  for (const [index, rule] of profile.rules.entries()) {
    const tools = Array.isArray(rule.tool) ? rule.tool : [rule.tool];
    if (!tools.some((pattern) => globMatches(pattern, toolName))) continue;
    if (rule.match !== undefined) {
      if (subject === null || !globMatches(rule.match, subject)) continue;
      // "npm test*" must not allow "npm test && curl …": for Bash, an allow rule only covers the
      // chaining and redirection its own pattern spells out.
      if (rule.decision === 'allow' && toolName === 'Bash' && SHELL_CONTROL.some((s) => subject.includes(s) && !rule.match!.includes(s))) continue;
    }
    return {
      decision: rule.decision,
      rule: rule.name ?? `${profileName}#${index + 1}`,
      ...(rule.message ? { message: rule.message } : {}),
    };
  }
  return null;
}

/** `*` matches any run of characters (spaces and slashes too), `?` one character; the rest is literal. */
export function globMatches(pattern: string, subject: string): boolean {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += char.replace(/[\\^$.+()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u').test(subject);
}
