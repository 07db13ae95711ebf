import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // Fails a test file that leaves a timer, handle, signal listener, child process or tmux server behind.
    setupFiles: ['test/support/leak-check.ts'],
  },
});
