/**
 * Label values the metrics may carry. A series is stored once per distinct label set, so every label
 * takes its value from a fixed list (anything else becomes `other`) or from a small bounded set: no
 * session id, raw path or text a request or a session wrote ever becomes a label of its own.
 */

/** What any value outside a label's list is counted as. */
export const OTHER = 'other';

/** `value` if the list holds it, else `other`. */
export function oneOf(list: readonly string[], value: unknown): string {
  return typeof value === 'string' && list.includes(value) ? value : OTHER;
}

/** The kinds of error Claude's StopFailure hook reports; a kind not listed counts as `other`. */
export const TURN_FAILURE_ERRORS = ['authentication_failed', 'billing_error', 'rate_limit', 'invalid_request', 'server_error', 'max_output_tokens', 'unknown'] as const;

/** Why the upkeep reaped a session (`session_reaped`). */
export const REAP_REASONS = ['idle_timeout', 'stalled'] as const;

/** What a stall led to (`stallAction`). */
export const STALL_ACTIONS = ['notify', 'interrupt', 'kill'] as const;

/** Who decided a permission request or question (`permission_resolved.by`), and how. */
export const DECIDERS = ['api', 'rule', 'timeout', 'terminal', 'session_ended'] as const;
export const DECISIONS = ['allow', 'deny'] as const;
export const REQUEST_KINDS = ['permission', 'question'] as const;

/** Whose budget was crossed, what it limits, and what followed (`budget_exceeded`). */
export const BUDGET_SCOPES = ['session', 'key'] as const;
export const BUDGET_KINDS = ['cost', 'tokens'] as const;
export const BUDGET_ACTIONS = ['interrupt', 'kill', 'notify'] as const;

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The route label of a request no route matched (a 404, a preflight for nothing). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The token kinds of usage, as labels. */
export const TOKEN_KINDS = ['input', 'output', 'cache_read', 'cache_write'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * Model names come from requests and transcripts, so they are hostile: a name is its own label only if
 * it looks like a model name, and only the first `limit` distinct names are; later ones count as `other`.
 */
export class ModelLabels {
  private readonly known = new Set<string>();

  constructor(private readonly limit = 32) {}

  of(model: string | null | undefined): string {
    if (model === null || model === undefined || model === '') return 'default';
    if (this.known.has(model)) return model;
    if (!/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/.test(model) || this.known.size >= this.limit) return OTHER;
    this.known.add(model);
    return model;
  }
}
