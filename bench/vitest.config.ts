import { defineConfig } from 'vitest/config';

// Benchmarks are not tests: they print numbers and record them in docs/benchmarks.md.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    // The soak benchmark forces a GC before reading RSS.
    execArgv: ['--expose-gc'],
  },
});
