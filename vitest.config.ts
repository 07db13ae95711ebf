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
      // 'warn' lists leaks without failing, while Supervisor.close() can leave a dead pane's exit-status
      // poll running (src/sessions/session-tracker.ts, exitStatusOf); 'fail' once it cannot.
      AEGIS_LEAK_CHECK: process.env.AEGIS_LEAK_CHECK ?? 'warn',
    },
  },
});
