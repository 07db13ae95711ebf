/**
 * This daemon's identity: a random id made once per state dir and kept in its database, so it stays
 * the same across restarts. Aegis marks every tmux window it opens with it; a daemon with another
 * state dir on the same tmux socket has another identity and never touches those windows.
 */
import { randomBytes } from 'node:crypto';
import { write, type Db } from './database.js';

const KEY = 'daemon_identity';

export function daemonIdentity(db: Db): string {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (row) return row.value;
  const identity = randomBytes(8).toString('hex');
  write(db, () => db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(KEY, identity));
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string }).value;
}
