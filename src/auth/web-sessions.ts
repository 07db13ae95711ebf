/**
 * Web sessions: a browser page trades an API key or the master token for a cookie, so the credential
 * itself never sits where page scripts could read it. The cookie's secret is 256 random bits, kept only
 * as its SHA-256 (like keys); each session has its own expiry and a CSRF token that state-changing
 * requests must repeat in a header. A session stands for its credential, never outlives it: each use
 * asks the key service again, so a revoked or expired key ends every session made with it, and a
 * session made with the master token ends when the daemon's token changes.
 *
 * Sessions sit behind `WebSessionRepository` (in memory here; a shared store can implement it too).
 * Expired ones are pruned as sessions are made, at most once a minute: no timer per cookie.
 */
import { randomBytes } from 'node:crypto';
import type { KeyService } from './keys.js';
import { MASTER_IDENTITY, type Identity } from './scopes.js';
import { sha256, tokensEqual } from './tokens.js';

/** What is kept of one web session: never its secret, only the secret's hash. */
export interface StoredWebSession {
  secretHash: string;
  /** The API key it stands for; null: the master token. */
  keyId: string | null;
  /** For a master-token session, the hash of the token it was made with: another token ends it. */
  masterHash: string | null;
  csrfToken: string;
  createdAt: number;
  /** The cookie's own end, or the credential's when that comes first (a rotated key's grace). */
  expiresAt: number;
}

export interface WebSessionRepository {
  insert(session: StoredWebSession): void;
  find(secretHash: string): StoredWebSession | undefined;
  remove(secretHash: string): void;
  /** Removes every session that ended at or before `now`. */
  removeExpired(now: number): void;
  /** Removes every session of a key (it was revoked). */
  removeOfKey(keyId: string): void;
  readonly size: number;
}

export class MemoryWebSessionRepository implements WebSessionRepository {
  private readonly sessions = new Map<string, StoredWebSession>();

  insert(session: StoredWebSession): void {
    this.sessions.set(session.secretHash, session);
  }

  find(secretHash: string): StoredWebSession | undefined {
    return this.sessions.get(secretHash);
  }

  remove(secretHash: string): void {
    this.sessions.delete(secretHash);
  }

  removeExpired(now: number): void {
    for (const [hash, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(hash);
  }

  removeOfKey(keyId: string): void {
    for (const [hash, session] of this.sessions) if (session.keyId === keyId) this.sessions.delete(hash);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** What a login hands the page, besides the cookie. */
export interface WebLogin {
  /** The cookie's value: shown once, in Set-Cookie. */
  secret: string;
  csrfToken: string;
  expiresAt: number;
}

export type WebSessionCheck = { ok: true; identity: Identity; csrfToken: string; expiresAt: number } | { ok: false; reason: string };

export interface WebSessionOptions {
  ttlMs: number;
  /** The daemon's master token, if it has one. */
  authToken: string | undefined;
  now?: () => number;
}

const PRUNE_EVERY_MS = 60_000;

export class WebSessions {
  private readonly now: () => number;
  private lastPrune = 0;
  private readonly endListeners: Array<(webSession: string) => void> = [];

  constructor(
    private readonly repository: WebSessionRepository,
    private readonly keys: Pick<KeyService, 'identityOf' | 'onRevoke'>,
    private readonly options: WebSessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    keys.onRevoke((keyId) => repository.removeOfKey(keyId));
  }

  get size(): number {
    return this.repository.size;
  }

  /** A new session for credentials already checked (the identity they resolved to). */
  open(identity: Identity): WebLogin {
    const now = this.now();
    this.prune(now);
    const secret = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = Math.min(now + this.options.ttlMs, identity.validUntil ?? Infinity);
    const master = identity.kind === 'master' && this.options.authToken !== undefined;
    this.repository.insert({
      secretHash: hashOf(secret),
      keyId: identity.keyId,
      masterHash: master ? hashOf(this.options.authToken!) : null,
      csrfToken,
      createdAt: now,
      expiresAt,
    });
    return { secret, csrfToken, expiresAt };
  }

  /** The identity a cookie stands for now, or why it stands for nothing; a session found dead is removed. */
  check(secret: string): WebSessionCheck {
    const hash = hashOf(secret);
    const session = this.repository.find(hash);
    if (!session) return { ok: false, reason: 'the session cookie is unknown or ended; log in again' };
    const refuse = (reason: string): WebSessionCheck => {
      this.repository.remove(hash);
      return { ok: false, reason };
    };
    if (session.expiresAt <= this.now()) return refuse('the session cookie expired; log in again');
    const identity = this.identityOf(session);
    if (identity === null) return refuse('the credentials this session was made with are no longer valid (revoked, expired or changed); log in again');
    const validUntil = Math.min(session.expiresAt, identity.validUntil ?? Infinity);
    return { ok: true, identity: { ...identity, validUntil, webSession: hash }, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  }

  /** Whether `presented` is the session's CSRF token (constant time). */
  csrfMatches(check: Extract<WebSessionCheck, { ok: true }>, presented: string | undefined): boolean {
    return presented !== undefined && presented !== '' && tokensEqual(presented, check.csrfToken);
  }

  /** Ends a session (logout): listeners end what it opened (its event streams); an unknown cookie changes nothing. */
  close(secret: string): void {
    const hash = hashOf(secret);
    if (!this.repository.find(hash)) return;
    this.repository.remove(hash);
    for (const listener of this.endListeners) listener(hash);
  }

  /** Called with a session's id (`Identity.webSession`) when it is logged out. */
  onLogout(listener: (webSession: string) => void): void {
    this.endListeners.push(listener);
  }

  private identityOf(session: StoredWebSession): Identity | null {
    if (session.keyId !== null) return this.keys.identityOf(session.keyId);
    const { authToken } = this.options;
    if (authToken === undefined || session.masterHash === null || !tokensEqual(session.masterHash, hashOf(authToken))) return null;
    return MASTER_IDENTITY;
  }

  private prune(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.repository.removeExpired(now);
  }
}

function hashOf(secret: string): string {
  return sha256(secret).toString('hex');
}
