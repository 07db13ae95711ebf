/**
 * Claude Code's permission hook protocol, both ways: the questions an AskUserQuestion call carries,
 * and the body that answers a held PermissionRequest hook with a decision. Pure.
 */

export interface HookQuestion {
  question: string;
  header?: string;
  options: Array<{ label: string; description?: string }>;
  multiSelect?: boolean;
}

/** A decision as the hook answer carries it. */
export interface HookDecision {
  behavior: 'allow' | 'deny';
  message?: string;
  /** Apply Claude's own "always allow" suggestions. */
  always?: boolean;
  /** For questions: the answer per question text. */
  answers?: Record<string, string>;
}

/** The questions of an AskUserQuestion tool input; anything malformed is left out. */
export function questionsOf(toolInput: unknown): HookQuestion[] {
  const raw = (toolInput as { questions?: unknown } | null)?.questions;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((q): HookQuestion[] => {
    if (typeof q !== 'object' || q === null || typeof (q as HookQuestion).question !== 'string') return [];
    const { question, header, options, multiSelect } = q as Record<string, unknown>;
    return [{
      question: question as string,
      ...(typeof header === 'string' ? { header } : {}),
      options: Array.isArray(options)
        ? options.flatMap((o) => (typeof o?.label === 'string' ? [{ label: o.label as string, ...(typeof o.description === 'string' ? { description: o.description as string } : {}) }] : []))
        : [],
      ...(typeof multiSelect === 'boolean' ? { multiSelect } : {}),
    }];
  });
}

/**
 * The body that answers Claude's PermissionRequest hook. `always` applies Claude's suggestions to
 * remember the choice, but never one that switches the session's permission mode: a session's mode is
 * what it was created with (and what Aegis reports), never changed by an approval.
 */
export function hookResponse(decision: HookDecision, toolInput: unknown, suggestions: unknown[]): Record<string, unknown> {
  const remembered = suggestions.filter((s) => (s as { type?: unknown } | null)?.type !== 'setMode');
  const body =
    decision.behavior === 'allow'
      ? {
          behavior: 'allow',
          ...(decision.always && remembered.length > 0 ? { updatedPermissions: remembered } : {}),
          ...(decision.answers ? { updatedInput: { ...(toolInput as object), answers: decision.answers } } : {}),
        }
      : { behavior: 'deny', message: decision.message ?? 'Denied through Aegis.' };
  return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: body } };
}
