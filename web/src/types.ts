/** The parts of the /v1 contract (docs/api.md) the dashboard reads. */

export type SessionStatus = 'starting' | 'idle' | 'working' | 'permission_prompt' | 'asking' | 'stalled' | 'exited' | 'owner_unreachable';
export const STATUSES: SessionStatus[] = ['starting', 'idle', 'working', 'permission_prompt', 'asking', 'stalled', 'exited'];

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number | null;
}

export interface QuestionOption {
  label: string;
  description?: string;
}

/** A pending permission request or question (both come in this shape; a question has `options`). */
export interface Pending {
  id: string;
  sessionId: string;
  toolName: string;
  toolInput: unknown;
  source: 'hook' | 'screen';
  createdAt: string;
  expiresAt: string;
  screen?: { title: string; detail: string; options: string[] };
  question?: string;
  header?: string;
  options?: QuestionOption[];
}

export interface Session {
  id: string;
  name: string | null;
  workDir: string;
  status: SessionStatus;
  model: string | null;
  permissionMode: string;
  createdAt: string;
  lastActivityAt: string;
  pendingPermission: Pending | null;
  pendingQuestion: Pending | null;
  usage: Usage;
  exit: { reason: string; hint?: string; lastScreen: string | null } | null;
}

export interface Message {
  id: string;
  role: 'user' | 'assistant';
  kind: 'text' | 'tool_use' | 'tool_result';
  text: string;
  toolName?: string;
  toolInput?: unknown;
  isError?: boolean;
  timestamp: string;
}

export interface Identity {
  keyId: string | null;
  name: string;
  role?: string;
  scopes: string[];
}

export interface AuthSession {
  csrfToken?: string | null;
  expiresAt?: string;
  identity: Identity | null;
  loginRequired?: boolean;
}

/** The answer for a page that is logged in (or needs no login). */
export type LoggedIn = AuthSession & { identity: Identity };

export interface Tier {
  name: string;
  model: string;
  default: boolean;
}
