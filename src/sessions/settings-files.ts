/**
 * Where a session's settings file (its hooks and hook secret) lives while Claude starts. Claude reads
 * it once, as the user it runs as: as the daemon's own user, under the state dir; as a `sessionUser`,
 * which must not reach the state dir, in a directory of the daemon's own that the session user may
 * pass through but not list (mode 0711), the file owned by that user and readable by it alone. Either
 * way it is removed once Claude is up.
 */
import { chmodSync, closeSync, fchownSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnixUser } from '../config/session-user.js';

export class SettingsFiles {
  private userDir: string | null = null;

  constructor(
    private readonly stateDir: string,
    private readonly user: UnixUser | null,
  ) {}

  /** Writes a session's settings (mode 0600, owned by whoever Claude runs as) and returns the file's path. */
  write(id: string, settings: unknown): string {
    const file = this.pathOf(id);
    if (!this.user) mkdirSync(join(this.stateDir, 'sessions', id), { recursive: true, mode: 0o700 });
    // A new file only: nothing already there (a link someone placed) is written through.
    const fd = openSync(file, 'wx', 0o600);
    try {
      if (this.user) fchownSync(fd, this.user.uid, this.user.gid);
      writeSync(fd, JSON.stringify(settings, null, 2));
    } finally {
      closeSync(fd);
    }
    return file;
  }

  remove(id: string): void {
    rmSync(this.pathOf(id), { force: true });
  }

  /** Removes the session user's settings directory (the state dir's are removed with their sessions). */
  close(): void {
    if (this.userDir) rmSync(this.userDir, { recursive: true, force: true });
    this.userDir = null;
  }

  private pathOf(id: string): string {
    if (!this.user) return join(this.stateDir, 'sessions', id, 'settings.json');
    if (!this.userDir) {
      this.userDir = mkdtempSync(join(tmpdir(), 'aegis-settings-'));
      chmodSync(this.userDir, 0o711);
    }
    return join(this.userDir, `${id}.json`);
  }
}
