/**
 * What a session is: its persisted record, its public view (the contract's Session object) and the
 * statuses it moves through. The record carries a few internal fields (tmux ids, the hook secret's
 * hash) that never leave the daemon.
 */
import type { PermissionMode } from '../config/schema.js';
import type { Usage } from '../claude/transcript.js';

export const SESSION_STATUSES = ['starting', 'idle', 'working', 'permission_prompt', 'asking', 'stalled', 'exited'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export type ExitReason = 'claude_exited' | 'window_closed' | 'deleted' | 'reaped' | 'tmux_died' | 'lost' | 'start_failed';

export interface ExitInfo {
  reason: ExitReason;
  exitCode: number | null;
  at: string;
  /** The last screen Claude showed, kept for GET after the window is gone. */
  lastScreen: string | null;
  /** What to do about it, when Aegis can tell (a session that failed to start says why it likely did). */
  hint?: string;
}

export interface SessionRecord {
  id: string;
  name: string;
  workDir: string;
  status: SessionStatus;
  model: string | null;
  permissionMode: PermissionMode;
  permissionProfile: string | null;
  createdAt: string;
  lastActivityAt: string;
  statusChangedAt: string;
  ownerKeyId: string | null;
  usage: Usage;
  exit: ExitInfo | null;
  /** Per-session overrides of the daemon's idle timeout and stall threshold (null: the daemon's). */
  idleTimeoutMs: number | null;
  stallThresholdMs: number | null;
  windowId: string;
  paneId: string;
  panePid: number;
  /** When the pane's process started (see processStartTime): a pid is signalled only while it matches. */
  panePidStartTime?: string | null;
  hookSecretHash: string;
  transcriptPath: string;
}

/** The contract's Session object: the record's public fields, what is pending, and where it runs in tmux. */
export type SessionView = Pick<
  SessionRecord,
  'id' | 'name' | 'workDir' | 'status' | 'model' | 'permissionMode' | 'permissionProfile' | 'createdAt' | 'lastActivityAt' | 'ownerKeyId' | 'usage' | 'exit'
> & {
  pendingPermission: unknown;
  pendingQuestion: unknown;
  tmux: { windowId: string; paneId: string };
};

export interface PendingViews {
  pendingPermission: unknown;
  pendingQuestion: unknown;
}

export function sessionView(record: SessionRecord, pending: PendingViews = { pendingPermission: null, pendingQuestion: null }): SessionView {
  return {
    id: record.id,
    name: record.name,
    workDir: record.workDir,
    status: record.status,
    model: record.model,
    permissionMode: record.permissionMode,
    permissionProfile: record.permissionProfile ?? null,
    createdAt: record.createdAt,
    lastActivityAt: record.lastActivityAt,
    ownerKeyId: record.ownerKeyId,
    pendingPermission: pending.pendingPermission,
    pendingQuestion: pending.pendingQuestion,
    usage: record.usage,
    exit: record.exit,
    tmux: { windowId: record.windowId, paneId: record.paneId },
  };
}
