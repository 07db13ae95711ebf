/** Comparing presented credentials with known ones in constant time, whatever their lengths. */
import { hash, timingSafeEqual } from 'node:crypto';

/** One-shot hashing: no Hash object per call, which every authenticated request pays for. */
export function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** Hashing first makes both sides the same length, so the comparison leaks neither content nor length. */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}
