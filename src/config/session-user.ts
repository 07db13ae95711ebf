/**
 * The Unix user sessions run as (`sessionUser`): looked up in the system's user database, so Claude
 * Code and every command it runs get that user's ids and home, never the daemon's.
 */
import { readFileSync } from 'node:fs';

export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The user named `name` in `/etc/passwd` (local users only), or null when there is none. */
export function lookUpUser(name: string, passwdFile = '/etc/passwd'): UnixUser | null {
  let passwd: string;
  try {
    passwd = readFileSync(passwdFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined && home) return { name, uid: Number(uid), gid: Number(gid), home };
  }
  return null;
}

/** Where Claude Code keeps its configuration and transcripts for a session user: its own home. */
export function claudeConfigDirOf(user: UnixUser): string {
  return `${user.home.replace(/\/$/, '')}/.claude`;
}

/** The session user a daemon running as `daemonUid` can use, or why it cannot (null: none configured). */
export function resolveSessionUser(name: string | undefined, daemonUid: number | undefined): UnixUser | null {
  if (name === undefined) return null;
  const user = lookUpUser(name);
  if (!user) throw new Error(`sessionUser ${name} is not a user of this system (no entry in /etc/passwd): create it first (see docs/operations.md)`);
  if (user.uid === 0) throw new Error(`sessionUser ${name} is root: name an unprivileged user`);
  if (daemonUid !== 0) throw new Error(`sessionUser ${name} needs a daemon running as root, which can start Claude as another user`);
  return user;
}

/** Said at start and by the doctor when a root daemon would run Claude (and every command it runs) as root. */
export const ROOT_WITHOUT_SESSION_USER =
  'the daemon runs as root without sessionUser: Claude and every command it runs are root and can read the daemon\'s token, state dir and keys; set AEGIS_SESSION_USER (see docs/operations.md)';
