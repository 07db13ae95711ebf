/**
 * The benchmarks, reduced (bench/smoke.ts): each completes and prints its numbers. Nothing is asserted
 * about time: a slow machine makes slow numbers, not a failure.
 */
import { describe, expect, it } from 'vitest';
import { SMOKE_MEASURES } from '../../bench/smoke.js';

describe('the benchmarks, reduced', () => {
  for (const measure of SMOKE_MEASURES) {
    it(measure.name, async () => {
      const line = await measure.run();
      console.log(`${measure.name}: ${line}`);
      expect(line).not.toBe('');
    }, 120_000);
  }
});
