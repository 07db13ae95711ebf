/**
 * What a caller may do: the contract's scopes, the roles that bundle them, and the identity a request
 * is resolved to (the master token, an API key, an SSE token standing for one of those, or the
 * token-less loopback mode). Nothing here knows how a request arrived.
 */
export const SCOPES = ['sessions:read', 'sessions:write', 'permissions:write', 'keys:admin', 'metrics:read', 'audit:read', 'memory:read', 'memory:write'] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLES = {
  admin: [...SCOPES],
  operator: ['sessions:read', 'sessions:write', 'permissions:write', 'memory:read', 'memory:write', 'metrics:read'],
  viewer: ['sessions:read', 'metrics:read'],
  /** A person who only decides permissions: reads sessions, approves, rejects and answers; never starts or sends. */
  approver: ['sessions:read', 'permissions:write'],
} as const satisfies Record<string, readonly Scope[]>;
export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

/** What a key may not exceed besides its scopes. */
export interface KeyLimits {
  /** Sessions of this key that may run at once. */
  maxSessions: number | null;
  /** Roots this key's sessions must start under (inside the daemon's own). Empty: the daemon's roots. */
  allowedWorkdirs: readonly string[];
  /** The permission profile forced on this key's sessions. */
  permissionProfile: string | null;
  /** What this key may spend per UTC day, in USD. */
  budgetUsd: number | null;
  /** The budget each of this key's sessions gets, and may not raise. */
  maxCostUsd: number | null;
  maxTokens: number | null;
}

export const NO_LIMITS: KeyLimits = { maxSessions: null, allowedWorkdirs: [], permissionProfile: null, budgetUsd: null, maxCostUsd: null, maxTokens: null };

export interface Identity {
  kind: 'master' | 'open' | 'key';
  /** The API key's id; null for the master token and the open loopback mode. */
  keyId: string | null;
  /** The API key's name, for what tags a session with its owner (telemetry); unset without a key. */
  keyName?: string;
  scopes: ReadonlySet<Scope>;
  limits: KeyLimits;
  /** When these credentials stop working (ms since the epoch): a key's expiry, or the end of a replaced secret's grace time. */
  validUntil?: number;
  /** The dashboard login (web-sessions.ts) the request came with, by an opaque id: what ends with its logout. */
  webSession?: string;
}

export const MASTER_IDENTITY: Identity = { kind: 'master', keyId: null, scopes: new Set(SCOPES), limits: NO_LIMITS };
export const OPEN_IDENTITY: Identity = { kind: 'open', keyId: null, scopes: new Set(SCOPES), limits: NO_LIMITS };

/**
 * Whether the caller sees every session, not only its own. Holding `keys:admin` is the line: whoever
 * may mint an admin key gains nothing by being kept out of other keys' sessions.
 */
export function seesAllSessions(identity: Identity): boolean {
  return identity.scopes.has('keys:admin');
}

/** The scopes of a role, or the scopes listed, in the contract's order without repeats. */
/** The role of a key created with neither a role nor scopes: it reads, and changes nothing. */
export const DEFAULT_KEY_ROLE: Role = 'viewer';

export function resolveScopes(request: { role?: Role | undefined; scopes?: readonly Scope[] | undefined }): Scope[] {
  const asked = new Set<Scope>(request.role ? ROLES[request.role] : (request.scopes ?? ROLES[DEFAULT_KEY_ROLE]));
  return SCOPES.filter((s) => asked.has(s));
}
