/**
 * A session's health as an operator reads it: how long it has been in its status, when the reaper
 * will act on it, and hints on what to do. Pure: computed from the session and the policy it runs under.
 */
import { apiRetryOnScreen } from '../claude/screen.js';
import type { ExitInfo, SessionRecord, SessionStatus } from './session-record.js';
import type { ReapPolicy } from './verdicts.js';

export interface SessionHealth {
  id: string;
  status: SessionStatus;
  alive: boolean;
  secondsInStatus: number;
  lastActivityAt: string;
  idle: { seconds: number; timeoutMs: number; reapInSeconds: number | null };
  stall: { secondsWithoutProgress: number; thresholdMs: number; stalled: boolean; action: string };
  pendingPermissions: number;
  pendingQuestion: boolean;
  /** Whether every transcript of the session could be read; `problem` says which could not, and why. */
  transcript: { readable: boolean; problem: string | null };
  exit: ExitInfo | null;
  hints: string[];
}

/** What a session's health is computed from. */
export interface HealthFacts {
  record: SessionRecord;
  lastProgressAt: number;
  /** The last screen read. */
  screen: string;
  pendingPermissions: number;
  pendingQuestion: boolean;
  /** Why a transcript of the session is not read, or null. */
  transcriptProblem: string | null;
}

export interface HealthContext {
  policy: ReapPolicy;
  stallAction: string;
}

export function sessionHealth(session: HealthFacts, context: HealthContext, now = Date.now()): SessionHealth {
  const { record } = session;
  const { policy } = context;
  const inStatusMs = now - Date.parse(record.statusChangedAt);
  const silentMs = now - session.lastProgressAt;
  const idle = record.status === 'idle';
  const working = record.status === 'working' || record.status === 'stalled';
  return {
    id: record.id,
    status: record.status,
    alive: record.status !== 'exited',
    secondsInStatus: Math.floor(inStatusMs / 1000),
    lastActivityAt: record.lastActivityAt,
    idle: {
      seconds: idle ? Math.floor(inStatusMs / 1000) : 0,
      timeoutMs: policy.idleTimeoutMs,
      reapInSeconds: idle && policy.idleTimeoutMs > 0 ? Math.max(0, Math.ceil((policy.idleTimeoutMs - inStatusMs) / 1000)) : null,
    },
    stall: { secondsWithoutProgress: working ? Math.floor(silentMs / 1000) : 0, thresholdMs: policy.stallThresholdMs, stalled: record.status === 'stalled', action: context.stallAction },
    pendingPermissions: session.pendingPermissions,
    pendingQuestion: session.pendingQuestion,
    transcript: { readable: session.transcriptProblem === null, problem: session.transcriptProblem },
    exit: record.exit,
    hints: [...healthHints(session, policy), ...transcriptHints(session)],
  };
}

/** A transcript that cannot be read: messages and usage stop where it stopped. */
function transcriptHints(session: HealthFacts): string[] {
  if (session.transcriptProblem === null) return [];
  return [`A transcript of this session is not read (${session.transcriptProblem}): /read and usage stop where it stopped. Something in the session put it there; the session's other state is unaffected.`];
}

/** What a person (or a script) can do about a session's state. */
function healthHints(session: HealthFacts, policy: ReapPolicy): string[] {
  const { record } = session;
  const id = record.id;
  const inStatusSeconds = (Date.now() - Date.parse(record.statusChangedAt)) / 1000;
  switch (record.status) {
    case 'starting':
      return inStatusSeconds > 30 ? [`Claude has not shown its prompt for ${Math.floor(inStatusSeconds)} s: GET /v1/sessions/${id}/pane shows what it shows (a dialog Aegis does not answer, such as first-run onboarding?)`] : [];
    case 'working': {
      const retry = apiRetryOnScreen(session.screen);
      return retry
        ? [`Claude is retrying a failed API call (${retry.message}; attempt ${retry.attempt} of ${retry.attempts}, next in ${retry.retryInSeconds} s): the turn goes on until the API answers or Claude gives up (turn_failed).`]
        : [];
    }
    case 'stalled':
      return [`No progress for over ${Math.round(policy.stallThresholdMs / 1000)} s: the model API may be slow or down. POST /v1/sessions/${id}/interrupt stops the turn; DELETE ends the session.`];
    case 'permission_prompt':
      return [`A permission request waits: GET /v1/sessions/${id}/permissions, then POST .../approve or .../reject.`];
    case 'asking':
      return [`Claude asked a question: see pendingQuestion, then POST /v1/sessions/${id}/answer.`];
    case 'idle':
      return policy.idleTimeoutMs > 0 ? [`Idle sessions end after ${Math.round(policy.idleTimeoutMs / 1000)} s without input (idleTimeoutMs; 0 keeps them).`] : [];
    case 'exited':
      return [`The session has exited (${record.exit?.reason ?? 'unknown'}); create a new one. exit.lastScreen shows its last screen.`];
    default:
      return [];
  }
}

/** The daemon's sessions at a glance: how many in each status, which are stalled, how long the idle ones have been idle. */
export interface SessionsHealth {
  total: number;
  byStatus: Record<string, number>;
  stalled: string[];
  idleSeconds: Record<string, number>;
}

export function sessionsHealth(records: readonly SessionRecord[], now = Date.now()): SessionsHealth {
  const byStatus: Record<string, number> = {};
  const idleSeconds: Record<string, number> = {};
  const stalled: string[] = [];
  for (const record of records) {
    byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
    if (record.status === 'stalled') stalled.push(record.id);
    if (record.status === 'idle') idleSeconds[record.id] = Math.floor((now - Date.parse(record.statusChangedAt)) / 1000);
  }
  return { total: records.length, byStatus, stalled, idleSeconds };
}
