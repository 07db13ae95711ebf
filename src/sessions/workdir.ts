/**
 * A session's working directory: resolved through symlinks, required to exist as a directory, and
 * required to lie under one of the allowed roots when roots are configured.
 */
import { realpathSync, statSync } from 'node:fs';
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
