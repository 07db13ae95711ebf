/**
 * The audit trail of the API: every request to a route that changes something becomes one audit
 * entry when its answer has gone, whatever the answer was (done, refused for want of a scope, a rate
 * limit, a bad body, a missing session), with the caller its credentials name, its address and the
 * HTTP status. A request whose credentials are refused (on any route) becomes `auth.failure`, or
 * `auth.lockout` when it locked its address out: the action it asked for was never reached. Reads are
 * not recorded. Text a caller sent is recorded as its length and SHA-256 (text-digest.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditOutcome } from '../audit/audit-entry.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { KeyService } from '../auth/keys.js';
import type { Identity } from '../auth/scopes.js';

export interface AuditTrailOptions {
  audit: AuditLog;
  keys: KeyService;
}

type Body = Record<string, unknown>;

interface AuditedRoute {
  action: string;
  /** Where the resource's id is: the `:id` of the path, the answer's `id` (what the request made), or none. */
  resourceFrom: 'path' | 'answer' | ((request: { params: Body; body: Body }) => unknown);
  details?: (body: Body, audit: AuditLog, answer: Body) => Record<string, unknown>;
}

/** The routes that change something, by `METHOD /route`. */
export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = {
  'POST /v1/sessions': {
    action: 'session.create',
    resourceFrom: 'answer',
    details: (body, audit, answer) => ({
      ...pickStrings(body, ['name', 'workDir', 'model', 'tier', 'permissionMode', 'permissionProfile']),
      ...(typeof body.prompt === 'string' ? { prompt: audit.text(body.prompt) } : {}),
      ...(typeof answer.reused === 'boolean' ? { reused: answer.reused } : {}),
    }),
  },
  'POST /v1/sessions/:id/send': { action: 'session.send', resourceFrom: 'path', details: (body, audit) => (typeof body.text === 'string' ? { text: audit.text(body.text) } : {}) },
  'POST /v1/sessions/:id/interrupt': { action: 'session.interrupt', resourceFrom: 'path' },
  'POST /v1/sessions/:id/escape': { action: 'session.escape', resourceFrom: 'path' },
  'DELETE /v1/sessions/:id': { action: 'session.delete', resourceFrom: 'path' },
  'POST /v1/sessions/:id/approve': { action: 'permission.approve', resourceFrom: 'path', details: (body) => pick(body, ['permissionId', 'always']) },
  'POST /v1/sessions/:id/reject': {
    action: 'permission.reject',
    resourceFrom: 'path',
    details: (body, audit) => ({ ...pick(body, ['permissionId']), ...(typeof body.message === 'string' ? { message: audit.text(body.message) } : {}) }),
  },
  'POST /v1/sessions/:id/answer': {
    action: 'question.answer',
    resourceFrom: 'path',
    details: (body, audit) => ({ ...pick(body, ['optionIndex']), ...(typeof body.answer === 'string' ? { answer: audit.text(body.answer) } : {}) }),
  },
  'POST /v1/auth/keys': {
    action: 'key.create',
    resourceFrom: 'answer',
    details: (body) => pick(body, ['name', 'role', 'scopes', 'expiresInDays', 'maxSessions', 'allowedWorkdirs', 'permissionProfile']),
  },
  'POST /v1/auth/keys/:id/rotate': { action: 'key.rotate', resourceFrom: 'path', details: (body) => pick(body, ['graceSeconds']) },
  'DELETE /v1/auth/keys/:id': { action: 'key.revoke', resourceFrom: 'path' },
  'POST /v1/auth/sse-token': { action: 'auth.sse_token', resourceFrom: 'path' },
  // The token a login presents is never recorded; a refused one is an auth.failure like any other.
  'POST /v1/auth/login': { action: 'auth.login', resourceFrom: 'path' },
  'POST /v1/auth/logout': { action: 'auth.logout', resourceFrom: 'path' },
  // Keystrokes from the dashboard's terminal, recorded like sent text (length and SHA-256 unless audit.includeText).
  'POST /v1/sessions/:id/input': { action: 'session.input', resourceFrom: 'path', details: (body, audit) => (typeof body.data === 'string' ? { data: audit.text(body.data) } : {}) },
  'POST /v1/admin/backup': { action: 'admin.backup', resourceFrom: 'path', details: (_body, _audit, answer) => pick(answer, ['file', 'bytes']) },
  // A memory entry's key is the resource; its value is never recorded.
  'POST /v1/memory': { action: 'memory.write', resourceFrom: ({ body }) => body.key },
  'DELETE /v1/memory/:key': { action: 'memory.delete', resourceFrom: ({ params }) => params.key },
};

/** The routes that take a body or are not GET but change nothing, so they are not recorded. */
export const UNAUDITED_ROUTES: Readonly<Record<string, string>> = {
  'POST /v1/dev/route-task': 'it only says which model tier a task would get',
};

/** What an answer said that the entry needs: the id of what it made, or the error's code. */
interface Answer {
  body: Body;
}

declare module 'fastify' {
  interface FastifyRequest {
    auditAnswer: Answer | null;
  }
}

export const auditTrailPlugin = fp<AuditTrailOptions>(async (app: FastifyInstance, { audit, keys }) => {
  app.decorateRequest('auditAnswer', null);
  // Callback-style, as the other hooks every request runs through: a promise per hook is a cost per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    request.auditAnswer = null;
    // Only the answers of audited routes, and of refusals (error envelopes, small), are read.
    if (typeof payload === 'string' && (routeOf(request) !== undefined || reply.statusCode >= 400)) request.auditAnswer = { body: parseObject(payload) };
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    record(request, reply.statusCode);
    done();
  });

  function record(request: FastifyRequest, status: number): void {
    const refusal = request.authRefusal;
    const route = refusal ? undefined : routeOf(request);
    if (!refusal && !route) return;
    const answer = request.auditAnswer?.body ?? {};
    const errorCode = (answer.error as Body | undefined)?.code;
    const failure = status >= 400 ? { status, ...(typeof errorCode === 'string' ? { error: errorCode } : {}) } : { status };
    if (refusal) {
      audit.record({
        actor: 'anonymous',
        action: refusal.locked ? 'auth.lockout' : 'auth.failure',
        ip: request.ip,
        outcome: 'denied',
        details: { ...failure, reason: refusal.reason, route: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}` },
      });
      return;
    }
    if (!route) return;
    // A body refused as invalid or too large is nobody's word for anything, and unbounded: not recorded.
    const body = status !== 400 && status !== 413 && isObject(request.body) ? request.body : {};
    const params = isObject(request.params) ? request.params : {};
    const resource = route.resourceFrom === 'path' ? params.id : route.resourceFrom === 'answer' ? answer.id : route.resourceFrom({ params, body });
    audit.record({
      ...actorOf(request.identity, keys),
      action: route.action,
      resource: typeof resource === 'string' ? resource : null,
      ip: request.ip,
      outcome: outcomeOf(status),
      details: { ...safely(() => route.details?.(body, audit, answer)), ...failure },
    });
  }
});

function routeOf(request: FastifyRequest): AuditedRoute | undefined {
  const url = request.routeOptions.url;
  return url === undefined ? undefined : AUDITED_ROUTES[`${request.method} ${url}`];
}

export function actorOf(identity: Identity, keys: Pick<KeyService, 'nameOf'>): { actor: string; actorName: string | null } {
  if (identity.keyId !== null) return { actor: identity.keyId, actorName: keys.nameOf(identity.keyId) };
  return { actor: identity.kind === 'master' ? 'master' : 'local', actorName: null };
}

function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  return status === 401 || status === 403 || status === 429 ? 'denied' : 'failed';
}

/** A refused body may be anything; what cannot be read is left out rather than failing the record. */
function safely(details: () => Record<string, unknown> | undefined): Record<string, unknown> {
  try {
    return details() ?? {};
  } catch {
    return {};
  }
}

function pick(body: Body, names: readonly string[]): Body {
  const picked: Body = {};
  for (const name of names) if (body[name] !== undefined) picked[name] = body[name];
  return picked;
}

function pickStrings(body: Body, names: readonly string[]): Body {
  const picked: Body = {};
  for (const name of names) if (typeof body[name] === 'string') picked[name] = body[name];
  return picked;
}

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(text: string): Body {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}
