/**
 * Runs once around the whole suite: builds dist/ (the CLI and child-process daemons run from it, the
 * daemon serves the dashboard from dist/dashboard/, the package test packs both), and
 * afterwards fails the run if a test left a tmux server of its own running.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { killTmuxServer, tmuxServerAlive } from './tmux.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RUN = randomBytes(3).toString('hex');
const TEST_SOCKETS = new RegExp(`^aegis-(test|cli)-${RUN}-`);

export function setup(): void {
  // Test workers inherit this; their tmux sockets carry it, and the teardown looks only at those.
  process.env.AEGIS_TEST_RUN = RUN;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-dashboard.mjs')], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, AEGIS_BUILD_QUIET: '1' } });
}

export function teardown(): void {
  const dir = join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`);
  let sockets: string[] = [];
  try {
    sockets = readdirSync(dir).filter((name) => TEST_SOCKETS.test(name));
  } catch {
    return;
  }
  const leaked = sockets.filter((socket) => tmuxServerAlive(socket));
  for (const socket of sockets) killTmuxServer(socket);
  if (leaked.length > 0) throw new Error(`tests left tmux servers running: ${leaked.join(', ')}`);
}
