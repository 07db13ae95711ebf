/** Comparing presented credentials with known ones in constant time, whatever their lengths. */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Hashing first makes both sides the same length, so the comparison leaks neither content nor length. */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}
