/**
 * Lockout: an address that presents bad credentials `maxFailures` times within `windowMs` is refused
 * for `lockMs`, good credentials or not, so guessing a token from one address stops at a handful of
 * tries. Other addresses are unaffected. Buckets of addresses that stopped failing are pruned, at most
 * once a window, so a spray of addresses cannot grow the map without bound for long.
 */
export interface LockoutOptions {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  now?: () => number;
}

interface Bucket {
  failures: number[];
  lockedUntil: number;
}

export class Lockout {
  private readonly buckets = new Map<string, Bucket>();
  private lastPrune = 0;
  private readonly now: () => number;

  constructor(private readonly options: LockoutOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until `address` may try again; 0 when it is not locked out. */
  lockedFor(address: string): number {
    const bucket = this.buckets.get(address);
    return bucket ? Math.max(0, bucket.lockedUntil - this.now()) : 0;
  }

  /** Counts a failure; returns the lock's remaining time when this one locked the address out. */
  fail(address: string): number {
    const now = this.now();
    this.prune(now);
    const bucket = this.buckets.get(address) ?? { failures: [], lockedUntil: 0 };
    bucket.failures = bucket.failures.filter((at) => at > now - this.options.windowMs);
    bucket.failures.push(now);
    if (bucket.failures.length >= this.options.maxFailures) {
      bucket.lockedUntil = now + this.options.lockMs;
      bucket.failures = [];
    }
    this.buckets.set(address, bucket);
    return Math.max(0, bucket.lockedUntil - now);
  }

  get trackedAddresses(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    if (now - this.lastPrune < this.options.windowMs) return;
    this.lastPrune = now;
    for (const [address, bucket] of this.buckets) {
      const recent = bucket.failures.some((at) => at > now - this.options.windowMs);
      if (!recent && bucket.lockedUntil <= now) this.buckets.delete(address);
    }
  }
}
