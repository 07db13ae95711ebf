/**
 * Where the daemon keeps its state and which tmux server it uses, both derived from the state dir:
 * each state dir gets a tmux socket of its own, so two daemons with different state dirs never share
 * a tmux server unless told to. The default state dir keeps the plain name `aegis`, so
 * `tmux -L aegis attach` works for the common case.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

export const DEFAULT_STATE_DIR = '~/.aegis';
export const DEFAULT_TMUX_SOCKET = 'aegis';

/** `~` and `~/…` expanded, relative paths made absolute, trailing slashes dropped. */
export function resolveStateDir(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(path);
}

/** `aegis` for the default state dir, `aegis-<first 8 hex digits of the SHA-256 of its path>` for any other. */
export function tmuxSocketFor(stateDir: string): string {
  const resolved = resolveStateDir(stateDir);
  if (resolved === resolveStateDir(DEFAULT_STATE_DIR)) return DEFAULT_TMUX_SOCKET;
  return `${DEFAULT_TMUX_SOCKET}-${createHash('sha256').update(resolved).digest('hex').slice(0, 8)}`;
}
