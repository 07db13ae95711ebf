import { defineConfig } from 'vitest/config';

// Benchmarks are not tests: they print numbers and record them in docs/benchmarks.md.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    // Builds dist/ (the CPU benchmarks run the daemon from it as a process of its own) and fails the
    // run if a benchmark left a tmux server behind.
    // The summary setup prints every benchmark's headline figures as one table at the end.
    globalSetup: ['test/support/global-setup.ts', 'bench/summary-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    // The soak benchmark forces a GC before reading RSS.
    execArgv: ['--expose-gc'],
  },
});
