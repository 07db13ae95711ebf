/**
 * What each route answers, as zod schemas the routes declare under `schema.response` beside what they
 * take. They document the API (the OpenAPI description is built from them) and type the handlers'
 * answers (the type provider checks a handler's return value against them); they are never used to
 * serialise, so an answer is sent exactly as the handler built it (see zod-schemas.ts). Where the core
 * already holds a schema (the session record) the answer's is derived from it.
 */
import { z } from 'zod';
import type { AuditEntry } from '../audit/audit-entry.js';
import type { ChainVerdict } from '../audit/verify.js';
import type { KeyView } from '../auth/keys.js';
import { SCOPES } from '../auth/scopes.js';
import type { TranscriptMessage } from '../claude/transcript.js';
import type { MemoryEntryView } from '../memory/memory-bridge.js';
import type { MetricsTotals } from '../metrics/daemon-metrics.js';
import type { ClusterNode } from '../operations/cluster-nodes.js';
import type { RouteDecision, TierView } from '../router/model-router.js';
import type { DeliveryResult } from '../sessions/delivery.js';
import type { SessionHealth, SessionsHealth } from '../sessions/session-health.js';
import { sessionRecordSchema, SESSION_STATUSES, type SessionView } from '../sessions/session-record.js';

const timestamp = z.string().describe('ISO 8601 time');

/**
 * A schema for a value the core hands over loosely typed (`unknown`, a record of anything): it documents
 * the value fully, and a handler may still return it as it is typed. The response test checks real
 * answers against it.
 */
function looselyTyped<S extends z.ZodType>(schema: S): z.ZodType<z.output<S>, unknown> {
  return schema as unknown as z.ZodType<z.output<S>, unknown>;
}

/** The contract's error envelope, the answer to every failed request. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().describe('a stable code from docs/errors.md, e.g. SESSION_NOT_FOUND'),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  });

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  sessions: z.object({ active: z.number().int(), total: z.number().int() }),
  tmux: z.object({ healthy: z.boolean(), version: z.string().nullable() }),
});

export const readinessSchema = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ ready: z.literal(false), reasons: z.array(z.object({ code: z.enum(['TMUX_UNAVAILABLE', 'STORE_UNAVAILABLE', 'MAX_SESSIONS']), message: z.string() })) }),
]);

export const openApiDocumentSchema = looselyTyped(z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }));

/** A pending permission request or question (docs/permissions.md), as permissions/request-view.ts shows it. */
export const permissionSchema = looselyTyped(z
  .object({
    id: z.string(),
    sessionId: z.string(),
    toolName: z.string(),
    toolInput: z.unknown(),
    suggestions: z.array(z.unknown()),
    source: z.enum(['hook', 'screen']),
    createdAt: timestamp,
    expiresAt: timestamp,
    screen: z.object({ title: z.string(), detail: z.string(), options: z.array(z.string()), inputComplete: z.boolean() }).optional(),
    question: z.string().optional().describe('questions only: the first question asked'),
    header: z.string().optional(),
    options: z.array(z.object({ label: z.string(), description: z.string().optional() })).optional(),
    multiSelect: z.boolean().optional(),
    questions: z.array(z.object({ question: z.string(), header: z.string().optional(), options: z.array(z.object({ label: z.string(), description: z.string().optional() })), multiSelect: z.boolean().optional() })).optional(),
  }));

/** The record's fields a Session shows; `satisfies` fails the build when the view gains or loses one. */
const SESSION_RECORD_FIELDS = {
  id: true, name: true, workDir: true, status: true, model: true, permissionMode: true, permissionProfile: true, createdAt: true, lastActivityAt: true, ownerKeyId: true,
  usage: true, exit: true, maxCostUsd: true, maxTokens: true,
} as const satisfies Record<Exclude<keyof SessionView, 'pendingPermission' | 'pendingQuestion' | 'tmux'>, true>;

/** The contract's Session object: the record's public fields, what is pending, and where it runs in tmux. */
export const sessionSchema = sessionRecordSchema
  .pick(SESSION_RECORD_FIELDS)
  .extend({
    pendingPermission: permissionSchema.nullable(),
    pendingQuestion: permissionSchema.nullable(),
    tmux: z.object({ windowId: z.string(), paneId: z.string() }),
  });

export const deliverySchema = z.object({
  delivered: z.boolean(),
  attempts: z.number().int(),
  error: z.string().optional(),
  code: z.string().optional().describe('with error: its code, as in the error envelope'),
  mayArriveLater: z.boolean().optional(),
});

export const createdSessionSchema = sessionSchema.extend({ reused: z.boolean(), promptDelivery: deliverySchema.optional() });

export const sessionListSchema = z.object({ sessions: z.array(sessionSchema) });

export const sessionsHealthSchema = z.object({
  total: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
  stalled: z.array(z.string()),
  idleSeconds: z.record(z.string(), z.number()),
});

export const sessionHealthSchema = z.object({
  id: z.string(),
  status: z.enum(SESSION_STATUSES),
  alive: z.boolean(),
  secondsInStatus: z.number(),
  lastActivityAt: timestamp,
  idle: z.object({ seconds: z.number(), timeoutMs: z.number(), reapInSeconds: z.number().nullable() }),
  stall: z.object({ secondsWithoutProgress: z.number(), thresholdMs: z.number(), stalled: z.boolean(), action: z.string() }),
  pendingPermissions: z.number().int(),
  pendingQuestion: z.boolean(),
  transcript: z.object({ readable: z.boolean(), problem: z.string().nullable() }),
  exit: sessionRecordSchema.shape.exit,
  hints: z.array(z.string()),
});

export const transcriptPageSchema = z.object({
  messages: z.array(
    z.object({
      id: z.string(),
      role: z.enum(['user', 'assistant']),
      kind: z.enum(['text', 'tool_use', 'tool_result']),
      text: z.string(),
      toolName: z.string().optional(),
      toolInput: z.unknown().optional(),
      toolUseId: z.string().optional(),
      isError: z.boolean().optional(),
      truncated: z.literal(true).optional().describe('text or toolInput was cut to its bound; the transcript file holds it whole'),
      timestamp: z.string(),
    }),
  ),
  nextCursor: z.string().describe('give it as ?after= to read on'),
  status: z.enum(SESSION_STATUSES),
});

export const paneSchema = z.object({ text: z.string(), cols: z.number().int(), rows: z.number().int() });
export const interruptSchema = z.object({ interrupted: z.boolean(), session: sessionSchema });
export const escapeSchema = z.object({ sent: z.literal(true), session: sessionSchema });

export const pendingListSchema = z.object({ pending: z.array(permissionSchema) });
export const approvedSchema = z.object({ approved: z.literal(true), permission: permissionSchema });
export const rejectedSchema = z.object({ rejected: z.literal(true), permission: permissionSchema });
export const answeredSchema = z.object({ answered: z.literal(true), question: permissionSchema, answers: z.record(z.string(), z.string()) });

/** An API key as listed: never its secret. */
export const keySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    graceUntil: timestamp.nullable().describe('after a rotation: until when the previous secret still works'),
    scopes: z.array(z.string()).describe(`scopes: ${SCOPES.join(', ')}`),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
    useCount: z.number().int(),
    maxSessions: z.number().int().nullable(),
    allowedWorkdirs: z.array(z.string()),
    permissionProfile: z.string().nullable(),
    budgetUsd: z.number().nullable().describe('daily cost budget in USD'),
    maxCostUsd: z.number().nullable().describe('cost budget of each of its sessions'),
    maxTokens: z.number().int().nullable().describe('token budget of each of its sessions'),
  });
/** A key with its secret: only in the answer that created or rotated it. */
export const keyWithSecretSchema = keySchema.extend({ key: z.string().describe('the secret, shown this once') });
export const keyListSchema = z.object({ keys: z.array(keySchema) });
export const sseTokenSchema = z.object({ token: z.string(), expiresAt: timestamp });

/** The media types of answers that are not JSON, by their schema. */
const mediaTypes = new WeakMap<z.ZodType, readonly string[]>();

/** What an answer is sent as: JSON unless its schema is one of the text answers below. */
export function mediaTypesOf(schema: z.ZodType): readonly string[] {
  return mediaTypes.get(schema) ?? ['application/json'];
}

/** A text answer (a stream, as the handler sends it) in the given media types. */
function textAnswer(types: readonly string[], description: string): z.ZodType<string, unknown> {
  const schema = looselyTyped(z.string().meta({ description }));
  mediaTypes.set(schema, types);
  return schema;
}

/** A web login (POST /v1/auth/login, GET /v1/auth/session): who the page acts as, and its CSRF token. */
export const webSessionSchema = z.object({
  csrfToken: z
    .string()
    .nullable()
    .describe('repeat it in X-CSRF-Token on every POST/PUT/PATCH/DELETE made with the cookie; given by the login only (null from GET /v1/auth/session, and with other credentials)'),
  expiresAt: timestamp.nullable().describe('when the cookie (or the credentials) stop working; null: never'),
  loginRequired: z.boolean().describe('false on a daemon without a master token (loopback only): the page needs no login'),
  identity: z
    .object({
      keyId: z.string().nullable(),
      name: z.string().describe('the API key\'s name; "master" for the master token, "local" without a token'),
      role: z.string().nullable().describe('the role whose scopes the credentials hold exactly, if any'),
      scopes: z.array(z.enum(SCOPES)),
    })
    .nullable()
    .describe('null: the request carried no credentials (GET /v1/auth/session): log in first'),
});
export const noContentSchema = z.null().describe('no body');
export const terminalInputSchema = z.object({ typed: z.number().int().describe('characters typed') });

/** The dashboard's page (GET /): HTML. */
export const htmlPageSchema = textAnswer(['text/html'], "the dashboard's page, from the build (npm run build)");
/** A file of the dashboard's bundle (GET /assets/*). */
export const assetSchema = textAnswer(['text/javascript', 'text/css'], "a file of the dashboard's bundle");

export const eventStreamSchema = textAnswer(['text/event-stream'], 'Server-Sent Events: one `event:`/`id:`/`data:` block per event (docs/api.md)');
export const auditExportSchema = textAnswer(['text/csv', 'application/x-ndjson'], 'the audit entries as CSV (format=csv) or JSON Lines (format=jsonl), streamed');

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: timestamp,
  actor: z.string().describe('a key id, `master`, `local`, `rule:<name>` or `system`'),
  actorName: z.string().nullable(),
  action: z.string(),
  resource: z.string().nullable(),
  ip: z.string().nullable(),
  outcome: z.enum(['ok', 'denied', 'failed']),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export const auditVerdictSchema = z.object({ ok: z.boolean(), checked: z.number().int(), firstBrokenId: z.number().int().nullable() });
export const backupSchema = z.object({ file: z.string(), bytes: z.number().int(), createdAt: timestamp });

export const memoryEntrySchema = z.object({
  key: z.string(),
  value: z.unknown().describe('the JSON value stored'),
  shared: z.boolean().describe('in the shared namespace (a key starting shared/)'),
  bytes: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
  expiresAt: timestamp.nullable(),
});
export const memoryListSchema = z.object({ entries: z.array(memoryEntrySchema), truncated: z.boolean() });
export const memoryDeletedSchema = z.object({ key: z.string(), deleted: z.literal(true) });

const usageSum = z.record(z.string(), z.number());
/** The daemon's totals; with ?format=prometheus (or a Prometheus Accept) the same as Prometheus text instead. */
export const metricsTotalsSchema = looselyTyped(
  z
    .object({
      sessions: z.object({ byStatus: z.record(z.string(), z.number()), created: z.number(), ended: z.record(z.string(), z.number()) }),
      usage: z.object({ total: usageSum, byModel: z.record(z.string(), usageSum), byAccount: z.record(z.string(), usageSum) }),
      budgetsExceeded: z.array(z.object({ scope: z.string(), kind: z.string(), action: z.string(), count: z.number() })),
      turnFailures: z.record(z.string(), z.number()),
      stalls: z.record(z.string(), z.number()),
      reaps: z.record(z.string(), z.number()),
      permissionWaits: z.object({ count: z.number(), sumSeconds: z.number() }),
      hookToEvent: z.object({ count: z.number(), sumSeconds: z.number() }),
      httpRequests: z.number(),
      sseClients: z.number(),
      eventLoopLagSeconds: z.record(z.string(), z.number()),
    })
    .meta({ description: 'the totals as JSON; ?format=prometheus answers them as Prometheus text (text/plain; version=0.0.4) instead' }),
);

export const routeDecisionSchema = z.object({ tier: z.string(), model: z.string(), reasons: z.array(z.string()) });
export const modelTiersSchema = z.object({ enabled: z.boolean(), tiers: z.array(z.object({ name: z.string(), model: z.string(), default: z.boolean() })) });

/** GET /v1/cluster/nodes (operations/cluster-nodes.ts). */
export const clusterNodeSchema = z.object({
  id: z.string(),
  url: z.string(),
  leaseExpiresAt: z.string().nullable(),
  epoch: z.number().int(),
  sessions: z.number().int(),
  capacity: z.number().int(),
  labels: z.record(z.string(), z.string()),
});
export const clusterNodesSchema = z.object({ nodes: z.array(clusterNodeSchema) });

/** What an operator reads to see why the daemon misbehaves; its fields are described in docs/operations.md. */
export const diagnosticsSchema = looselyTyped(z.looseObject({
  version: z.string(),
  uptimeSeconds: z.number(),
  tmux: z.looseObject({}),
  process: z.looseObject({}),
  eventLoop: z.looseObject({}),
  connections: z.looseObject({}),
  sessions: sessionsHealthSchema,
  store: z.looseObject({}),
  config: z.record(z.string(), z.unknown()),
}));

/**
 * Each schema names every field of the core's type it documents: a field the core adds and the schema
 * lacks fails the build here (the handlers' typing catches the reverse: a field the schema requires
 * that the core does not send).
 */
type Covers<Schema extends z.ZodType, View> = [Exclude<keyof View, keyof z.output<Schema>>] extends [never] ? true : false;
type Must<T extends true> = T;
/** Exported only so that the compiler evaluates it. */
export type EveryFieldDocumented = [
  Must<Covers<typeof keySchema, KeyView>>,
  Must<Covers<typeof clusterNodeSchema, ClusterNode>>,
  Must<Covers<typeof auditEntrySchema, AuditEntry>>,
  Must<Covers<typeof auditVerdictSchema, ChainVerdict>>,
  Must<Covers<typeof sessionHealthSchema, SessionHealth>>,
  Must<Covers<typeof sessionsHealthSchema, SessionsHealth>>,
  Must<Covers<typeof transcriptPageSchema.shape.messages.element, TranscriptMessage>>,
  Must<Covers<typeof deliverySchema, DeliveryResult>>,
  Must<Covers<typeof memoryEntrySchema, MemoryEntryView>>,
  Must<Covers<typeof metricsTotalsSchema, MetricsTotals>>,
  Must<Covers<typeof routeDecisionSchema, RouteDecision>>,
  Must<Covers<typeof modelTiersSchema.shape.tiers.element, TierView>>,
];
