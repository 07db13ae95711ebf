/**
 * Where memory entries are kept: the one storage interface the memory bridge knows. SQLite implements
 * it (src/store/memory-store.ts, by shape: the store imports nothing of memory); another backend
 * implements the same calls. Times are milliseconds since the epoch; an entry whose `expiresAt` is at
 * or before `now` is gone for every call, purged or not.
 */
export interface StoredMemoryEntry {
  /** Whose entry it is: `key:<API key id>`, `daemon` (the master token and the open mode) or `shared`. */
  namespace: string;
  key: string;
  /** The value as JSON text. */
  value: string;
  /** UTF-8 bytes of key and value together: what the total limit counts. */
  bytes: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
}

/** What may be stored: every live entry's bytes together, and one namespace's. */
export interface MemoryLimits {
  maxTotalBytes: number;
  maxNamespaceBytes: number;
}

export type PutOutcome =
  | { stored: true; created: boolean }
  /** Nothing stored: which limit the entry would pass, and the bytes live entries (and its namespace's) hold. */
  | { stored: false; full: 'total' | 'namespace'; liveBytes: number; namespaceBytes: number };

export interface MemoryRepository {
  get(namespace: string, key: string, now: number): StoredMemoryEntry | null;
  /** Live entries of these namespaces whose key starts with `prefix`, by key, at most `limit`. */
  list(namespaces: readonly string[], prefix: string, limit: number, now: number): StoredMemoryEntry[];
  /**
   * Stores the entry (replacing the live or expired one of the same key, keeping its `createdAt`)
   * when every live entry's bytes, with it instead of the one it replaces, stay within
   * `maxTotalBytes`, and its namespace's within `maxNamespaceBytes`; otherwise stores nothing and says
   * which limit it would pass. One atomic step.
   */
  put(entry: StoredMemoryEntry, limits: MemoryLimits, now: number): PutOutcome;
  /** Whether a live entry was there to delete. */
  delete(namespace: string, key: string, now: number): boolean;
  /** Removes every expired entry; returns how many. */
  purgeExpired(now: number): number;
  /** What the one-time import recorded, or null when none was done. */
  importRecord(): string | null;
  /** Stores the entries (replacing any of the same key) and the import record, in one atomic step. */
  importOnce(entries: readonly StoredMemoryEntry[], record: string): void;
}
