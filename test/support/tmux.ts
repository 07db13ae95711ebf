/** Private tmux servers for tests: a unique socket name each, killed after the test. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** The test run's own mark (set by the global setup), so one run never touches another's servers. */
export const TEST_RUN = process.env.AEGIS_TEST_RUN ?? 'solo';

export function uniqueSocket(prefix = 'aegis-test'): string {
  return `${prefix}-${TEST_RUN}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function killTmuxServer(socket: string): void {
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  // tmux can leave the socket file behind; tests leave nothing.
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
}

export function tmuxServerAlive(socket: string): boolean {
  try {
    execFileSync('tmux', ['-L', socket, 'list-sessions'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
