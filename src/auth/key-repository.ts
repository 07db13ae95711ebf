/**
 * Where API keys are kept: the one storage interface the key service knows. SQLite implements it
 * (src/store/key-store.ts, by shape: the store imports nothing of auth); another backend implements
 * the same four calls. Only hashes of secrets are ever handed to it.
 */
export interface StoredKey {
  id: string;
  name: string;
  /** SHA-256 (hex) of the current secret. */
  secretHash: string;
  /** SHA-256 (hex) of the secret a rotation replaced, valid until `graceUntil`. */
  previousSecretHash: string | null;
  graceUntil: string | null;
  /** Scope names as stored; the key service keeps only those it knows when it reads them back. */
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  useCount: number;
  maxSessions: number | null;
  allowedWorkdirs: string[];
  permissionProfile: string | null;
  /** Daily cost budget in USD, and the budget of each of its sessions; null: none. */
  budgetUsd: number | null;
  maxCostUsd: number | null;
  maxTokens: number | null;
}

export interface KeyUse {
  id: string;
  lastUsedAt: string;
  useCount: number;
}

export interface KeyRepository {
  /** Every key, revoked ones included, oldest first. */
  all(): StoredKey[];
  insert(key: StoredKey): void;
  /** Replaces what is stored for `key.id`. */
  update(key: StoredKey): void;
  /** Records when keys were last used and how often, in one write. */
  recordUses(uses: readonly KeyUse[]): void;
}

/** A repository in memory, for tests and tools that need no persistence. */
export class MemoryKeyRepository implements KeyRepository {
  private readonly keys = new Map<string, StoredKey>();

  all(): StoredKey[] {
    return [...this.keys.values()].map((k) => structuredClone(k));
  }

  insert(key: StoredKey): void {
    this.keys.set(key.id, structuredClone(key));
  }

  update(key: StoredKey): void {
    this.keys.set(key.id, structuredClone(key));
  }

  recordUses(uses: readonly KeyUse[]): void {
    for (const use of uses) {
      const key = this.keys.get(use.id);
      if (key) Object.assign(key, { lastUsedAt: use.lastUsedAt, useCount: use.useCount });
    }
  }
}
