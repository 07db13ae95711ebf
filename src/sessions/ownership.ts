/**
 * Sessions belong to the key that created them. A key that may start sessions (`sessions:write`) but
 * not see every one (no `keys:admin`) sees and acts on its own only; anyone else's is answered as
 * unknown, so a key learns nothing of what it may not touch. A key that cannot start sessions (a
 * `viewer` or an `approver`) owns none: it oversees every session under its `allowedWorkdirs` (all of
 * them when it has none), as far as its scopes let it. A key's limits apply to what it starts: its
 * work dir roots, its number of running sessions, its forced permission profile.
 */
import { seesAllSessions, type Identity } from '../auth/scopes.js';
import type { Config } from '../config/schema.js';
import { AegisError } from '../errors.js';
import type { CreateSessionInput } from './inputs.js';
import { isInside, realRoot } from './workdir.js';

/** What ownership looks at in a session. */
export interface OwnedSession {
  ownerKeyId: string | null;
  workDir: string;
}

export function canSee(caller: Identity, session: OwnedSession): boolean {
  if (seesAllSessions(caller)) return true;
  if (!caller.scopes.has('sessions:write')) return oversees(caller, session.workDir);
  return caller.keyId !== null && session.ownerKeyId === caller.keyId;
}

/** An overseer's view: every session under its roots, or every session when it names none. */
function oversees(caller: Identity, workDir: string): boolean {
  const roots = caller.limits.allowedWorkdirs;
  return roots.length === 0 || roots.some((root) => isInside(workDir, realRoot(root)));
}

/**
 * A create as the caller's key allows it: refused when the work dir (already resolved under the
 * daemon's roots) is outside the key's, when the key runs its maximum, or when it asks for another
 * profile or permission mode than the one its key forces; with the key's profile set.
 */
export function withKeyLimits(asked: CreateSessionInput, workDir: string, caller: Identity, config: Config, runningOfKey: number): CreateSessionInput {
  const { limits, keyId } = caller;
  const input = withKeyBudget(asked, limits);
  if (limits.allowedWorkdirs.length > 0 && !limits.allowedWorkdirs.some((root) => isInside(workDir, realRoot(root)))) {
    throw new AegisError('WORKDIR_NOT_ALLOWED', `workDir ${input.workDir} is not under one of this key's allowedWorkdirs`, {
      workDir: input.workDir,
      allowedWorkdirs: limits.allowedWorkdirs,
    });
  }
  if (limits.maxSessions !== null && runningOfKey >= limits.maxSessions) {
    throw new AegisError('MAX_SESSIONS', `key ${keyId} already runs ${limits.maxSessions} sessions (its maxSessions); end one first`, {
      maxSessions: limits.maxSessions,
      keyId,
    });
  }
  const forced = limits.permissionProfile;
  if (forced === null) return input;
  if (input.permissionProfile !== undefined && input.permissionProfile !== forced) {
    throw new AegisError('FORBIDDEN', `this key's sessions run under the permission profile ${forced}; leave permissionProfile out`, { permissionProfile: forced });
  }
  // A mode that skips prompts would skip the profile with them: the key gets the daemon's mode.
  if (input.permissionMode !== undefined && input.permissionMode !== config.defaultPermissionMode) {
    throw new AegisError('FORBIDDEN', `a key with a forced permission profile cannot choose the permission mode; leave permissionMode out`, {
      permissionProfile: forced,
    });
  }
  return { ...input, permissionProfile: forced };
}

/** The key's session budget is the default and the ceiling: a create may ask for less. */
function withKeyBudget(input: CreateSessionInput, limits: Identity['limits']): CreateSessionInput {
  const lower = (asked: number | undefined, ceiling: number | null) => (ceiling === null ? asked : Math.min(asked ?? ceiling, ceiling));
  const maxCostUsd = lower(input.maxCostUsd, limits.maxCostUsd);
  const maxTokens = lower(input.maxTokens, limits.maxTokens);
  if (maxCostUsd === input.maxCostUsd && maxTokens === input.maxTokens) return input;
  return { ...input, ...(maxCostUsd !== undefined ? { maxCostUsd } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) };
}
