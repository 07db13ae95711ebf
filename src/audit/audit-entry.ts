/**
 * What the audit log holds: one entry per state-changing action, successful or refused. An entry is
 * written once and never changed; its `hash` chains it to the entry before (see chain.ts).
 */

/**
 * Who acted: an API key's id (its name beside it, in `actorName`), `master` (the master token),
 * `local` (a caller on loopback with no token configured, or a person at the session's terminal),
 * `rule:<name>` (a permission rule), or `system` (the daemon itself: exits, reaps, timeouts, startup).
 */
export type AuditActor = string;

/** `ok` it was done; `denied` the caller was not allowed (bad or missing credentials, a scope, a lockout, a rate limit); `failed` it was tried and did not happen. */
export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** What a caller hands the log: the rest (id, time, chain) the log adds. */
export interface AuditRecordInput {
  actor: AuditActor;
  actorName?: string | null;
  action: string;
  /** The session or key acted on, when there is one. */
  resource?: string | null;
  /** The client address of an HTTP request; null for what the daemon did by itself. */
  ip?: string | null;
  outcome: AuditOutcome;
  /** Plain JSON values only; never a secret, and message text only as its digest (text-digest.ts). */
  details?: Record<string, unknown>;
}

/** The content the hash covers: every field but the hash itself. */
export interface AuditContent {
  id: number;
  at: string;
  actor: AuditActor;
  actorName: string | null;
  action: string;
  resource: string | null;
  ip: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditContent {
  /** SHA-256 (hex) over the previous entry's hash and this entry's canonical content. */
  hash: string;
}

/** The newest entry's id and hash: where the next entry chains on. */
export interface ChainLink {
  id: number;
  hash: string;
}
