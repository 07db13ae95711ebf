/**
 * The baseline of the start benchmark: Claude Code started by hand in a private tmux server, without
 * Aegis, as a person would start it (a window with the workdir as its directory, the same environment
 * as the daemon gives it), and watched until its screen is the idle prompt. Each start gets a config
 * dir of its own, so the benchmark chooses whether the workdir is already trusted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScreen } from '../src/claude/screen.js';
import { claudeHome, tmuxEnvArgs } from '../test/support/claude-pane.js';
import { CLAUDE_BIN } from '../test/support/daemon.js';
import { killTmuxServer, uniqueSocket } from '../test/support/tmux.js';
import { waitFor } from '../test/support/wait-for.js';

export interface RawClaude {
  /** Milliseconds from the window's command to Claude's idle screen; an untrusted workdir's dialog is answered as Aegis answers it. */
  startToIdle(trusted: boolean): Promise<number>;
  close(): Promise<void>;
}

/** How often the screen is read while waiting: the resolution of the baseline. */
const POLL_MS = 10;
const ANSWER_AGAIN_MS = 300;

export function rawClaude(fakeUrl: string): RawClaude {
  const root = mkdtempSync(join(tmpdir(), 'aegis-raw-claude-'));
  const socket = uniqueSocket();
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  // A placeholder window keeps the server up between starts, as the daemon's does.
  tmux('new-session', '-d', '-s', 'raw', '-x', '160', '-y', '50', 'sleep 3600');
  let runs = 0;
  return {
    async startToIdle(trusted) {
      const { workDir, env: vars } = claudeHome(join(root, `run-${++runs}`), fakeUrl, { trusted });
      const env = tmuxEnvArgs(vars);
      const begin = performance.now();
      const pane = tmux('new-window', '-d', '-t', 'raw:', '-P', '-F', '#{pane_id}', '-c', workDir, ...env, '--', CLAUDE_BIN, '--permission-mode', 'default').trim();
      let answeredAt = -Infinity;
      let answers = 0;
      let idleAt = 0;
      let text = '';
      await waitFor(() => {
        text = tmux('capture-pane', '-p', '-t', pane);
        const screen = parseScreen(text);
        // Keys sent while Claude draws the dialog can be lost: a dialog still there a moment later is answered again.
        if (screen.kind === 'trust_dialog' && performance.now() - answeredAt > ANSWER_AGAIN_MS) {
          tmux('send-keys', '-t', pane, 'Down');
          tmux('send-keys', '-t', pane, 'Enter');
          answeredAt = performance.now();
          answers++;
        }
        idleAt = performance.now();
        return screen.kind === 'idle';
      }, { timeoutMs: 60_000, intervalMs: POLL_MS, what: 'Claude to show its idle prompt' }).catch((err: Error) => {
        throw new Error(`${err.message}; the screen:\n${text}`);
      });
      tmux('kill-pane', '-t', pane);
      if (!trusted && answers === 0) throw new Error('the untrusted workdir showed no trust dialog');
      return idleAt - begin;
    },
    async close() {
      killTmuxServer(socket);
      await waitFor(() => {
        rmSync(root, { recursive: true, force: true });
        return true;
      }, { timeoutMs: 15_000, what: `${root} to be removed` });
    },
  };
}
