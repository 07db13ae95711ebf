/**
 * This daemon's identity: a random id made once per state dir and kept in its database, so it stays
 * the same across restarts. Aegis marks every tmux window it opens with it; a daemon with another
 * state dir on the same tmux socket has another identity and never touches those windows.
 */
import { randomBytes } from 'node:crypto';
import type { MetaStore } from './meta-store.js';

const KEY = 'daemon_identity';

export function daemonIdentity(meta: MetaStore): string {
  const known = meta.get(KEY);
  if (known) return known;
  const identity = randomBytes(8).toString('hex');
  meta.set(KEY, identity);
  return identity;
}
