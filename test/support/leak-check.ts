/**
 * Fails a test file that leaves something running: a timer, a server or socket, a child process, a
 * process signal listener, or a tmux server of its own (see leaks.ts for what is looked at and how).
 * Loaded before each test file (vitest `setupFiles`): what exists before the file is imported is
 * the baseline, and after the file's last hook, whatever is new and still there once a short grace
 * has passed fails the file with a list of what leaked. What can be ended from here is then ended,
 * so one file's leak does not spill into the next file or outlive the run.
 *
 * AEGIS_LEAK_CHECK=warn prints the list instead of failing the file.
 */
import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';
import { settledLeaks, takeSnapshot, trackTimers } from './leaks.js';

/** How long things that close asynchronously (sockets, killed children, short timers) get to finish. */
const GRACE_MS = 2_000;
const FAIL = process.env.AEGIS_LEAK_CHECK !== 'warn';

trackTimers();
const baseline = takeSnapshot();

// Registered before the file's own hooks, so it runs after all of them (vitest runs after-hooks in reverse).
afterAll(async () => {
  const leaks = await settledLeaks(baseline, GRACE_MS);
  if (leaks.length === 0) return;
  for (const leak of leaks) leak.cleanUp?.();
  const file = relative(process.cwd(), expect.getState().testPath ?? 'this test file');
  const report = `${file} left ${leaks.length} thing(s) behind after its tests:\n${leaks.map((leak) => `  - ${leak.description}`).join('\n')}`;
  if (FAIL) throw new Error(report);
  console.warn(report);
}, GRACE_MS + 10_000);
