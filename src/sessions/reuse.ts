/**
 * When POST /v1/sessions may hand back a running session instead of starting one: an idle session of
 * the same caller in the same workDir, run the way the caller would run a new one (same mode, profile
 * and model; no environment of its own asked for; the name asked for, if one was), that nothing else has a claim on (being ended,
 * being typed into, or taken by a concurrent create).
 */
import type { PermissionMode } from '../config/schema.js';
import type { SessionRecord } from './session-record.js';

export interface ReuseWish {
  workDir: string;
  ownerKeyId: string | null;
  permissionMode: PermissionMode;
  permissionProfile: string | null;
  model: string | null;
  /** A request that brings its own environment always gets a new session. */
  hasOwnEnv: boolean;
  /** The name asked for: a session of another name is not handed back under it (null: any). */
  name: string | null;
  maxCostUsd: number | null;
  maxTokens: number | null;
}

export interface ReuseCandidate {
  record: Pick<SessionRecord, 'name' | 'status' | 'workDir' | 'ownerKeyId' | 'permissionMode' | 'permissionProfile' | 'model' | 'maxCostUsd' | 'maxTokens'>;
  ending: boolean;
  reserved: boolean;
  busyWithInput: boolean;
}

export function isReusableFor(candidate: ReuseCandidate, wish: ReuseWish): boolean {
  const { record } = candidate;
  return (
    !wish.hasOwnEnv &&
    record.status === 'idle' &&
    !candidate.ending &&
    !candidate.reserved &&
    !candidate.busyWithInput &&
    record.workDir === wish.workDir &&
    record.ownerKeyId === wish.ownerKeyId &&
    record.permissionMode === wish.permissionMode &&
    (record.permissionProfile ?? null) === wish.permissionProfile &&
    record.model === wish.model &&
    record.maxCostUsd === wish.maxCostUsd &&
    record.maxTokens === wish.maxTokens &&
    (wish.name === null || record.name === wish.name)
  );
}
