/**
 * A session's working directory: resolved through symlinks, required to exist as a directory, and
 * required to lie under one of the allowed roots when roots are configured. Claude starts in the very
 * directory that was checked: it is opened, the descriptor's own path checked again, and tmux told
 * to start in the descriptor (`/proc/<daemon>/fd/<n>`), so a directory swapped for a symlink between
 * the check and the start cannot move Claude elsewhere.
 */
import { closeSync, constants, openSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { AegisError } from '../errors.js';

export function resolveWorkDir(workDir: string, allowedRoots: readonly string[]): string {
  if (!isAbsolute(workDir)) throw invalidWorkDir(workDir, 'must be an absolute path');
  let real: string;
  try {
    real = realpathSync(workDir);
  } catch {
    throw invalidWorkDir(workDir, 'does not exist');
  }
  if (!statSync(real).isDirectory()) throw invalidWorkDir(workDir, 'is not a directory');
  if (allowedRoots.length > 0 && !allowedRoots.some((root) => isInside(real, realRoot(root)))) {
    throw new AegisError('WORKDIR_NOT_ALLOWED', `workDir ${workDir} is not under an allowed directory (AEGIS_ALLOWED_WORKDIRS)`, {
      workDir,
      allowedWorkdirs: allowedRoots,
    });
  }
  return real;
}

/** A checked work dir held open until Claude has started in it. */
export interface OpenedWorkDir {
  /** The directory's real path, as checked. */
  readonly path: string;
  /** A path that names the opened directory itself, whatever happens to its name meanwhile. */
  readonly handle: string;
  close(): void;
}

/**
 * Opens the work dir `check` resolved to `real` and checks that what was opened is still that
 * directory, under the allowed roots. A name swapped since the check (for a symlink, or another
 * directory) is refused.
 */
export function openWorkDir(real: string, allowedRoots: readonly string[]): OpenedWorkDir {
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    throw changedWorkDir(real);
  }
  const handle = `/proc/${process.pid}/fd/${fd}`;
  let opened = '';
  try {
    opened = readlinkSync(handle);
  } catch {
    // no /proc: nothing can be checked, so nothing is started
  }
  if (opened !== real || (allowedRoots.length > 0 && !allowedRoots.some((root) => isInside(opened, realRoot(root))))) {
    closeSync(fd);
    throw changedWorkDir(real);
  }
  return { path: real, handle, close: () => closeSync(fd) };
}

export function changedWorkDir(workDir: string): AegisError {
  return new AegisError('WORKDIR_NOT_ALLOWED', `workDir ${workDir} changed while the session started (replaced or moved); nothing was started`, { workDir });
}

function invalidWorkDir(workDir: string, problem: string): AegisError {
  return new AegisError('INVALID_REQUEST', `workDir ${workDir} ${problem}`, { issues: [{ path: 'workDir', message: problem }] });
}

export function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
