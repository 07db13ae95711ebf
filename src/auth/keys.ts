/**
 * API keys: created with a role or scopes and optional limits, shown once, kept only as a SHA-256
 * hash, rotated with a grace time for the replaced secret, revoked at once. Keys are few and every
 * request looks one up, so they are held in memory by hash and written through to the repository;
 * use counts are written in batches (a SQLite write per request would cost more than the request).
 *
 * SHA-256, not a slow password hash: a secret is 256 random bits, so no dictionary reaches it, and a
 * lookup must cost microseconds.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AegisError } from '../errors.js';
import type { KeyRepository, StoredKey } from './key-repository.js';
import type { CreateKeyInput, RotateKeyInput } from './key-inputs.js';
import { resolveScopes, SCOPES, type Identity, type Scope } from './scopes.js';

export const KEY_PREFIX = 'aeg_';
const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_GRACE_SECONDS = 3600;
const USE_FLUSH_MS = 5000;

/** A key as the API shows it: never a secret or a hash. */
export type KeyView = Omit<StoredKey, 'secretHash' | 'previousSecretHash'>;

export type KeyCheck = { ok: true; identity: Identity } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export interface KeyServiceOptions {
  /** The daemon's own work dir roots: a key's roots must lie inside them. */
  daemonWorkdirs: readonly string[];
  /** Configured permission profiles, one of which a key may force. */
  permissionProfiles: readonly string[];
  now?: () => number;
}

export class KeyService {
  private readonly byId = new Map<string, StoredKey>();
  private readonly byHash = new Map<string, StoredKey>();
  private readonly revokeListeners: Array<(keyId: string) => void> = [];
  /** Keys used since the last write, with when they were last used (formatted only when written or shown). */
  private readonly usedSinceFlush = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /**
   * The secret a connection last presented and the key it was found to be, so the requests that
   * follow on a kept-alive connection are checked by one constant-time comparison instead of the
   * whole lookup (SHA-256, map, comparison: about 13 µs a request as measured in the daemon). A
   * connection may carry several clients (a proxy's pool): what one presented is compared with the
   * next one's in constant time, and held only as long as the connection.
   */
  private readonly verified = new WeakMap<object, { secret: string; key: StoredKey; check: KeyCheck & { ok: true } }>();

  constructor(
    private readonly repository: KeyRepository,
    private readonly options: KeyServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    // What the store hands back is checked: a scope this version does not know grants nothing.
    for (const key of repository.all()) this.remember({ ...key, scopes: key.scopes.filter(isScope) });
  }

  get size(): number {
    return this.byId.size;
  }

  /** Makes a key; the secret is in the answer and nowhere else, ever. */
  create(input: CreateKeyInput): KeyView & { key: string } {
    this.checkLimits(input);
    const secret = newSecret();
    const now = this.now();
    const key: StoredKey = {
      id: `key_${randomBytes(8).toString('hex')}`,
      name: input.name,
      secretHash: hashOf(secret),
      previousSecretHash: null,
      graceUntil: null,
      scopes: resolveScopes(input),
      createdAt: new Date(now).toISOString(),
      expiresAt: input.expiresInDays === undefined ? null : new Date(now + input.expiresInDays * DAY_MS).toISOString(),
      revokedAt: null,
      lastUsedAt: null,
      useCount: 0,
      maxSessions: input.maxSessions ?? null,
      allowedWorkdirs: input.allowedWorkdirs ?? [],
      permissionProfile: input.permissionProfile ?? null,
      budgetUsd: input.budgetUsd ?? null,
      maxCostUsd: input.maxCostUsd ?? null,
      maxTokens: input.maxTokens ?? null,
    };
    this.repository.insert(key);
    this.remember(key);
    return { ...view(key), key: secret };
  }

  list(): KeyView[] {
    return [...this.byId.values()].map((key) => view(this.withLastUse(key)));
  }

  /** Revokes at once: the next request with the key is refused, and listeners close its streams. */
  revoke(id: string): KeyView {
    const key = this.withLastUse(this.find(id));
    if (key.revokedAt === null) {
      const revoked = { ...key, revokedAt: new Date(this.now()).toISOString() };
      this.repository.update(revoked);
      this.remember(revoked);
      for (const listener of this.revokeListeners) listener(id);
      return view(revoked);
    }
    return view(key);
  }

  /** A new secret; the one it replaces keeps working until `graceUntil`. */
  rotate(id: string, input: RotateKeyInput = {}): KeyView & { key: string } {
    const key = this.withLastUse(this.find(id));
    if (key.revokedAt !== null) throw new AegisError('KEY_REVOKED', `key ${id} is revoked; create a new one`, { keyId: id });
    const secret = newSecret();
    const graceSeconds = input.graceSeconds ?? DEFAULT_GRACE_SECONDS;
    const rotated: StoredKey = {
      ...key,
      secretHash: hashOf(secret),
      previousSecretHash: graceSeconds > 0 ? key.secretHash : null,
      graceUntil: graceSeconds > 0 ? new Date(this.now() + graceSeconds * 1000).toISOString() : null,
    };
    this.repository.update(rotated);
    this.forgetHashes(key);
    this.remember(rotated);
    return { ...view(rotated), key: secret };
  }

  /** Who a presented secret belongs to, if anyone; counts the use. */
  authenticate(secret: string): KeyCheck {
    if (!secret.startsWith(KEY_PREFIX)) return { ok: false, reason: 'unknown' };
    const hash = hashOf(secret);
    const key = this.byHash.get(hash);
    // The map finds the key by hash; the comparison that grants access is constant-time.
    const current = key !== undefined && sameText(hash, key.secretHash);
    const previous = key?.previousSecretHash != null && sameText(hash, key.previousSecretHash);
    if (!key || (!current && !previous)) return { ok: false, reason: 'unknown' };
    const now = this.now();
    if (key.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) return { ok: false, reason: 'expired' };
    if (!current && (key.graceUntil === null || Date.parse(key.graceUntil) <= now)) return { ok: false, reason: 'expired' };
    this.countUse(key, now);
    const ends = [key.expiresAt, current ? null : key.graceUntil].flatMap((at) => (at === null ? [] : [Date.parse(at)]));
    const identity = identityOf(key);
    return { ok: true, identity: ends.length > 0 ? { ...identity, validUntil: Math.min(...ends) } : identity };
  }

  /**
   * `authenticate`, remembering a secret found good for the `connection` it came on: the next
   * request there presenting the same secret is the same key while that key is unchanged (not
   * revoked, rotated or replaced) and its validity lasts.
   */
  authenticateOn(connection: object, secret: string): KeyCheck {
    const seen = this.verified.get(connection);
    const now = this.now();
    if (seen && this.byId.get(seen.key.id) === seen.key && now < (seen.check.identity.validUntil ?? Infinity) && sameText(seen.secret, secret)) {
      this.countUse(seen.key, now);
      return seen.check;
    }
    const check = this.authenticate(secret);
    const key = check.ok && check.identity.keyId !== null ? this.byId.get(check.identity.keyId) : undefined;
    if (check.ok && key) this.verified.set(connection, { secret, key, check });
    else this.verified.delete(connection);
    return check;
  }

  /** Whether a key still works now (an SSE token outlives nothing its key does not). */
  isActive(id: string): boolean {
    const key = this.byId.get(id);
    return !!key && key.revokedAt === null && (key.expiresAt === null || Date.parse(key.expiresAt) > this.now());
  }

  /**
   * The identity of a key that still works now (a web session stands for it), with when it stops
   * working; null when it is unknown, revoked or expired. Not a use of the key: no count.
   */
  identityOf(id: string): Identity | null {
    const key = this.byId.get(id);
    if (!key || !this.isActive(id)) return null;
    const identity = identityOf(key);
    return key.expiresAt === null ? identity : { ...identity, validUntil: Date.parse(key.expiresAt) };
  }

  /** A key's daily budget in USD; null for a key without one, or no such key. */
  budgetOf(id: string): number | null {
    return this.byId.get(id)?.budgetUsd ?? null;
  }

  /** A key's name, for records that name who acted (the audit log); null for an unknown id. */
  nameOf(id: string): string | null {
    return this.byId.get(id)?.name ?? null;
  }

  onRevoke(listener: (keyId: string) => void): void {
    this.revokeListeners.push(listener);
  }

  /** Writes pending use counts and stops the timer that writes them. */
  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushUses();
  }

  flushUses(): void {
    if (this.usedSinceFlush.size === 0) return;
    const uses = [...this.usedSinceFlush.keys()].flatMap((id) => {
      const key = this.byId.get(id);
      return key ? [{ id, lastUsedAt: this.withLastUse(key).lastUsedAt!, useCount: key.useCount }] : [];
    });
    this.usedSinceFlush.clear();
    try {
      this.repository.recordUses(uses);
    } catch {
      // Use counts are informational: a store that cannot be written loses them, never a request.
    }
  }

  /** Counts a use: a number and a time, no formatting (it is on every request's path). */
  private countUse(key: StoredKey, now: number): void {
    key.useCount++;
    this.usedSinceFlush.set(key.id, now);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushUses();
    }, USE_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** The key with its last use, counted since the last write, written into it. */
  private withLastUse(key: StoredKey): StoredKey {
    const at = this.usedSinceFlush.get(key.id);
    if (at !== undefined) key.lastUsedAt = new Date(at).toISOString();
    return key;
  }

  private find(id: string): StoredKey {
    const key = this.byId.get(id);
    if (!key) throw new AegisError('KEY_NOT_FOUND', `no key ${id}`, { keyId: id });
    return key;
  }

  private remember(key: StoredKey): void {
    this.byId.set(key.id, key);
    this.byHash.set(key.secretHash, key);
    if (key.previousSecretHash) this.byHash.set(key.previousSecretHash, key);
  }

  private forgetHashes(key: StoredKey): void {
    this.byHash.delete(key.secretHash);
    if (key.previousSecretHash) this.byHash.delete(key.previousSecretHash);
  }

  /** A key's limits must fit the daemon's: roots inside its roots, a profile it knows. */
  private checkLimits(input: CreateKeyInput): void {
    const roots = this.options.daemonWorkdirs.map((r) => resolve(r));
    for (const [index, root] of (input.allowedWorkdirs ?? []).entries()) {
      if (roots.length > 0 && !roots.some((daemonRoot) => isInside(resolve(root), daemonRoot))) {
        throw invalid(`allowedWorkdirs.${index}`, `${root} is not inside the daemon's allowedWorkdirs (${roots.join(', ')})`);
      }
    }
    if (input.permissionProfile !== undefined && !this.options.permissionProfiles.includes(input.permissionProfile)) {
      throw invalid('permissionProfile', `unknown profile; known: ${this.options.permissionProfiles.join(', ') || 'none configured'}`);
    }
  }
}

function isScope(name: string): name is Scope {
  return (SCOPES as readonly string[]).includes(name);
}

function newSecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

function hashOf(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/**
 * Constant-time, for hashes and secrets: a length that differs says only that (each has one length).
 * Lengths are compared in bytes, which timingSafeEqual needs equal, whatever characters were sent.
 */
function sameText(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}

function view(key: StoredKey): KeyView {
  const { secretHash: _secret, previousSecretHash: _previous, ...rest } = key;
  return { ...rest, scopes: [...rest.scopes], allowedWorkdirs: [...rest.allowedWorkdirs] };
}

/** Each stored key's identity, built once: a changed key is a new object, so it gets a new one. */
const identities = new WeakMap<StoredKey, Identity>();

function identityOf(key: StoredKey): Identity {
  let identity = identities.get(key);
  if (!identity) identities.set(key, (identity = buildIdentity(key)));
  return identity;
}

function buildIdentity(key: StoredKey): Identity {
  return {
    kind: 'key',
    keyId: key.id,
    keyName: key.name,
    scopes: new Set(key.scopes.filter(isScope)),
    limits: {
      maxSessions: key.maxSessions, allowedWorkdirs: key.allowedWorkdirs, permissionProfile: key.permissionProfile,
      budgetUsd: key.budgetUsd, maxCostUsd: key.maxCostUsd, maxTokens: key.maxTokens,
    },
  };
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function invalid(path: string, message: string): AegisError {
  return new AegisError('INVALID_REQUEST', `${path}: ${message}`, { issues: [{ path, message }] });
}
