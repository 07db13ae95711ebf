/**
 * The memory bridge: a small key-value memory agents and their callers share across sessions. Each
 * caller has a namespace of its own (its API key; the master token and the open mode share the
 * daemon's), and keys beginning with `shared/` live in one namespace every caller with the memory
 * scopes reads and writes. Values are bounded one by one and in total; an entry past its lifetime is
 * never returned, and one timer for the whole daemon purges such entries.
 */
import type { Identity } from '../auth/scopes.js';
import type { MemoryBridgeConfig } from '../config/memory-bridge-schema.js';
import { AegisError } from '../errors.js';
import type { Logger } from '../log.js';
import { SHARED_PREFIX, type PutMemoryInput } from './memory-inputs.js';
import type { MemoryRepository, StoredMemoryEntry } from './memory-repository.js';

/** An entry as callers see it. */
export interface MemoryEntryView {
  key: string;
  value: unknown;
  shared: boolean;
  bytes: number;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
}

export const DAEMON_NAMESPACE = 'daemon';
export const SHARED_NAMESPACE = 'shared';

/** The namespace a key of this caller lives in. */
export function namespaceOf(caller: Pick<Identity, 'keyId'>, key: string): string {
  if (key.startsWith(SHARED_PREFIX)) return SHARED_NAMESPACE;
  return caller.keyId === null ? DAEMON_NAMESPACE : `key:${caller.keyId}`;
}

export interface MemoryBridgeOptions {
  /** The clock: tests give their own, so lifetimes pass without waiting. */
  now?: () => number;
  logger: Logger;
}

export class MemoryBridge {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repository: MemoryRepository,
    private readonly config: MemoryBridgeConfig | undefined,
    private readonly options: MemoryBridgeOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.config?.enabled === true;
  }

  put(caller: Identity, input: PutMemoryInput): { entry: MemoryEntryView; created: boolean } {
    const config = this.settings();
    const value = JSON.stringify(input.value);
    const valueBytes = Buffer.byteLength(value);
    if (valueBytes > config.maxValueBytes) {
      throw new AegisError('MEMORY_VALUE_TOO_LARGE', `the value is ${valueBytes} bytes as JSON; memoryBridge.maxValueBytes allows ${config.maxValueBytes}`, {
        bytes: valueBytes,
        maxValueBytes: config.maxValueBytes,
      });
    }
    const now = this.now();
    const entry: StoredMemoryEntry = {
      namespace: namespaceOf(caller, input.key),
      key: input.key,
      value,
      bytes: Buffer.byteLength(input.key) + valueBytes,
      createdAt: now,
      updatedAt: now,
      expiresAt: input.ttlSeconds === undefined ? null : now + input.ttlSeconds * 1000,
    };
    const outcome = this.repository.put(entry, config, now);
    if (!outcome.stored) {
      const { full, liveBytes, namespaceBytes } = outcome;
      const message =
        full === 'total'
          ? `the memory holds ${liveBytes} of its ${config.maxTotalBytes} bytes (memoryBridge.maxTotalBytes); this entry needs ${entry.bytes}: delete entries or let them expire`
          : `${entry.namespace === SHARED_NAMESPACE ? 'the shared entries hold' : "this caller's entries hold"} ${namespaceBytes} of their ${config.maxNamespaceBytes} bytes (memoryBridge.maxNamespaceBytes); this entry needs ${entry.bytes}: delete entries or let them expire`;
      throw new AegisError('MEMORY_FULL', message, {
        bytes: entry.bytes,
        liveBytes,
        maxTotalBytes: config.maxTotalBytes,
        namespaceBytes,
        maxNamespaceBytes: config.maxNamespaceBytes,
      });
    }
    const stored = this.repository.get(entry.namespace, entry.key, now) ?? entry;
    return { entry: view(stored), created: outcome.created };
  }

  get(caller: Identity, key: string): MemoryEntryView {
    this.settings();
    const entry = this.repository.get(namespaceOf(caller, key), key, this.now());
    if (!entry) throw notFound(key);
    return view(entry);
  }

  /** The caller's own entries and the shared ones whose key starts with `prefix`, by key. */
  list(caller: Identity, prefix: string, limit: number): { entries: MemoryEntryView[]; truncated: boolean } {
    this.settings();
    const namespaces = [namespaceOf(caller, ''), SHARED_NAMESPACE];
    const found = this.repository.list(namespaces, prefix, limit + 1, this.now());
    return { entries: found.slice(0, limit).map(view), truncated: found.length > limit };
  }

  delete(caller: Identity, key: string): { key: string; deleted: true } {
    this.settings();
    if (!this.repository.delete(namespaceOf(caller, key), key, this.now())) throw notFound(key);
    return { key, deleted: true };
  }

  /** Removes expired entries now; the timer calls it every `reaperIntervalMs`. */
  purgeExpired(): number {
    const purged = this.repository.purgeExpired(this.now());
    if (purged > 0) this.options.logger.debug({ purged }, 'purged expired memory entries');
    return purged;
  }

  /** Starts the one purge timer, which never keeps the process alive. Nothing when the bridge is off. */
  start(): void {
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.purgeExpired();
      } catch (err) {
        this.options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot purge expired memory entries; the next pass tries again');
      }
    }, this.config!.reaperIntervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private settings(): MemoryBridgeConfig {
    if (!this.config?.enabled) throw new AegisError('MEMORY_DISABLED', 'the memory bridge is off: set memoryBridge.enabled in the configuration');
    return this.config;
  }
}

function notFound(key: string): AegisError {
  return new AegisError('MEMORY_NOT_FOUND', `no memory entry ${JSON.stringify(key)} (or it has expired)`, { key });
}

function view(entry: StoredMemoryEntry): MemoryEntryView {
  return {
    key: entry.key,
    value: JSON.parse(entry.value) as unknown,
    shared: entry.namespace === SHARED_NAMESPACE,
    bytes: entry.bytes,
    createdAt: new Date(entry.createdAt).toISOString(),
    updatedAt: new Date(entry.updatedAt).toISOString(),
    expiresAt: entry.expiresAt === null ? null : new Date(entry.expiresAt).toISOString(),
  };
}
