/**
 * The `memoryBridge` configuration: a small key-value memory that sessions and their callers share
 * through /v1/memory, kept in the daemon's database, with bounded sizes and expiring entries.
 */
import { z } from 'zod';

const whole = (min: number, max: number) => z.number().int('must be a whole number').min(min).max(max);

export const memoryBridgeSchema = z
  .object({
    /** Off: /v1/memory answers 404 MEMORY_DISABLED and nothing is imported or purged. */
    enabled: z.boolean().default(true),
    /**
     * A JSON file of entries imported into the database once, at the first start that finds it
     * (a relative path is taken from the config file's directory). The file is never written.
     */
    persistPath: z.string().min(1).max(4096).optional(),
    /** How often expired entries are purged (they are never returned, purged or not). */
    reaperIntervalMs: whole(1000, 7 * 24 * 3600 * 1000).default(3_600_000),
    /** Largest value, in bytes of its JSON text. */
    maxValueBytes: whole(1, 1024 * 1024).default(64 * 1024),
    /** Largest total of every live entry's key and value, in bytes. */
    maxTotalBytes: whole(1, 1024 * 1024 * 1024).default(64 * 1024 * 1024),
    /** Largest total of one namespace's live entries (one key's, the daemon's own, or the shared one), in bytes: no caller fills the whole memory. */
    maxNamespaceBytes: whole(1, 1024 * 1024 * 1024).default(16 * 1024 * 1024),
  })
  .strict();
export type MemoryBridgeConfig = z.output<typeof memoryBridgeSchema>;
