import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // Each test file must leave no timer, handle, signal listener, child process or tmux server behind.
    setupFiles: ['test/support/leak-check.ts'],
    env: {
      // A leak fails its file; AEGIS_LEAK_CHECK=warn only lists them (for hunting several at once).
      AEGIS_LEAK_CHECK: process.env.AEGIS_LEAK_CHECK ?? 'fail',
    },
  },
});
