/**
 * The shapes that cross the wire, as the client sees them. Request bodies come from the daemon's own
 * zod schemas and responses from its view types (type-only imports: nothing of the daemon is loaded at
 * run time), so client and daemon cannot drift apart silently.
 */
import type { z } from 'zod';
import type { TranscriptMessage } from '../claude/transcript.js';
import type { AegisEvent } from '../events/event-bus.js';
import type { MetricsTotals } from '../metrics/daemon-metrics.js';
import type { DeliveryResult } from '../sessions/delivery.js';
import type { createSessionSchema } from '../sessions/inputs.js';
import type { SessionStatus, SessionView } from '../sessions/session-record.js';

export type { AegisEvent, DeliveryResult, MetricsTotals, SessionStatus, TranscriptMessage };
export type Session = SessionView;
export type CreateSessionRequest = z.input<typeof createSessionSchema>;

/** Every status, for a caller's choices; `satisfies` fails the build if the daemon's list gains or loses one. */
const STATUSES = { starting: true, idle: true, working: true, permission_prompt: true, asking: true, stalled: true, exited: true } satisfies Record<SessionStatus, true>;
export const SESSION_STATUSES = Object.keys(STATUSES) as SessionStatus[];

export interface CreatedSession extends Session {
  reused: boolean;
  promptDelivery?: DeliveryResult;
}

export interface ReadResponse {
  messages: TranscriptMessage[];
  nextCursor: string;
  status: SessionStatus;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  sessions: { active: number; total: number };
  tmux: { healthy: boolean; version: string | null };
}

/** The screen as `GET /v1/sessions/:id/pane` answers it. */
export interface Pane {
  text: string;
  cols: number;
  rows: number;
}

/** A pending permission request or question (docs/permissions.md); the fields the CLI shows. */
export interface Permission {
  id: string;
  sessionId: string;
  toolName: string;
  toolInput: unknown;
  source: string;
  createdAt: string;
  expiresAt: string;
  question?: string;
  options?: { label: string; description?: string }[];
}
