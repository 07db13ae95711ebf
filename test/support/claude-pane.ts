/**
 * The real Claude Code in panes of a private tmux server, pointed at the fake model API, without
 * Aegis: for tests that look at Claude's own screens. Each pane has its own config dir, so a test
 * chooses whether the workdir is trusted and the API key approved. `close()` kills the tmux server and
 * removes every file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, CLAUDE_BIN } from './daemon.js';
import type { FakeAnthropic } from './fake-anthropic.js';
import { killTmuxServer, uniqueSocket } from './tmux.js';
import { waitFor } from './wait-for.js';

export interface PaneOptions {
  /** The workdir is already trusted in Claude's config (default true). */
  trusted?: boolean;
  /** The API key is already approved in Claude's config (default true). */
  keyApproved?: boolean;
  env?: Record<string, string>;
}

/** A home for a Claude started without Aegis: its workdir, its config dir, and the environment it runs with. */
export interface ClaudeHome {
  workDir: string;
  configDir: string;
  env: Record<string, string>;
}

/**
 * Makes `dir/work` and `dir/config` (onboarding done, the workdir trusted and the API key approved as
 * asked) and the environment that points Claude at the fake model API at `baseUrl`.
 */
export function claudeHome(dir: string, baseUrl: string, { trusted = true, keyApproved = true, env = {} }: PaneOptions = {}): ClaudeHome {
  const workDir = join(dir, 'work');
  const configDir = join(dir, 'config');
  mkdirSync(workDir, { recursive: true });
  mkdirSync(configDir);
  writeFileSync(join(configDir, '.claude.json'), JSON.stringify({
    hasCompletedOnboarding: true,
    customApiKeyResponses: { approved: keyApproved ? [API_KEY.slice(-20)] : [], rejected: [] },
    projects: trusted ? { [workDir]: { hasTrustDialogAccepted: true } } : {},
  }));
  return {
    workDir,
    configDir,
    env: { LANG: 'C.UTF-8', CLAUDE_CONFIG_DIR: configDir, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', ANTHROPIC_BASE_URL: baseUrl, ANTHROPIC_API_KEY: API_KEY, ...env },
  };
}

/** tmux's `-e NAME=value` arguments for an environment. */
export function tmuxEnvArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}

export interface ClaudePanes {
  /** Starts Claude in a new pane (160x50, permission mode default); returns the pane id. */
  open(options?: PaneOptions): string;
  capture(pane: string): string;
  /** Types text literally (Enter is a separate key press, once the text shows). */
  type(pane: string, text: string): void;
  press(pane: string, ...keys: string[]): void;
  /** Pastes text as one bracketed paste, as Aegis delivers long text. */
  paste(pane: string, text: string): void;
  close(): Promise<void>;
}

export function startClaudePanes(fake: FakeAnthropic): ClaudePanes {
  const root = mkdtempSync(join(tmpdir(), 'aegis-panes-'));
  const socket = uniqueSocket();
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  let panes = 0;
  return {
    open(options = {}) {
      const { workDir, env } = claudeHome(join(root, `pane-${++panes}`), fake.url, options);
      const envArgs = tmuxEnvArgs(env);
      const command = ['--', CLAUDE_BIN, '--permission-mode', 'default'];
      const place = panes === 1 ? ['new-session', '-d', '-s', 'claude', '-x', '160', '-y', '50'] : ['new-window', '-d', '-t', 'claude:'];
      return tmux(...place, '-P', '-F', '#{pane_id}', '-c', workDir, ...envArgs, ...command).trim();
    },
    capture: (pane) => tmux('capture-pane', '-p', '-t', pane),
    type: (pane, text) => void tmux('send-keys', '-t', pane, '-l', '--', text),
    press: (pane, ...keys) => void tmux('send-keys', '-t', pane, ...keys),
    paste(pane, text) {
      tmux('set-buffer', '-b', 'aegis-test', '--', text);
      tmux('paste-buffer', '-d', '-p', '-b', 'aegis-test', '-t', pane);
    },
    async close() {
      killTmuxServer(socket);
      // Claude processes ended by the tmux kill may still be writing their last files for a moment.
      await waitFor(() => {
        rmSync(root, { recursive: true, force: true });
        return true;
      }, { timeoutMs: 15_000, what: `${root} to be removed` });
    },
  };
}
