/**
 * The app factory with stand-ins for the daemon's parts: no tmux, no store, nothing listening. Checks
 * that every /v1 route declares zod schemas for what it takes (the route catalog an API description is
 * generated from) and the order in which a request's faults are answered.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryKeyRepository } from '../auth/key-repository.js';
import { KeyService } from '../auth/keys.js';
import { configSchema } from '../config/schema.js';
import { AegisError } from '../errors.js';
import type { DaemonStatus } from '../operations/daemon-status.js';
import type { Supervisor } from '../sessions/supervisor.js';
import { buildApp } from './app.js';
import { buildHookApp } from './hook-listener.js';
import type { RequestPart } from './route-catalog.js';
import type { SseHub } from './sse.js';

const KNOWN = '2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** What each route takes besides nothing: the request parts it declares a schema for. */
const EXPECTED: Record<string, RequestPart[]> = {
  'GET /v1/health': [],
  'GET /v1/ready': [],
  'GET /v1/openapi.json': [],
  'POST /v1/sessions': ['body', 'headers'],
  'GET /v1/sessions': ['querystring'],
  'GET /v1/sessions/health': [],
  'GET /v1/sessions/:id': ['params'],
  'GET /v1/sessions/:id/health': ['params'],
  'DELETE /v1/sessions/:id': ['params'],
  'POST /v1/sessions/:id/send': ['params', 'headers', 'body'],
  'GET /v1/sessions/:id/read': ['params', 'querystring'],
  'GET /v1/sessions/:id/pane': ['params'],
  'POST /v1/sessions/:id/interrupt': ['params'],
  'POST /v1/sessions/:id/escape': ['params'],
  'GET /v1/sessions/:id/permissions': ['params'],
  'POST /v1/sessions/:id/approve': ['params', 'body'],
  'POST /v1/sessions/:id/reject': ['params', 'body'],
  'POST /v1/sessions/:id/answer': ['params', 'body'],
  'GET /v1/events': ['querystring', 'headers'],
  'GET /v1/sessions/:id/events': ['params', 'querystring', 'headers'],
  'GET /v1/sessions/:id/terminal': ['params', 'querystring'],
  'POST /v1/sessions/:id/input': ['params', 'body'],
  'POST /v1/auth/login': ['body'],
  'POST /v1/auth/logout': [],
  'GET /v1/auth/session': [],
  'GET /': [],
  'GET /assets/*': [],
  'GET /v1/diagnostics': [],
  'GET /v1/cluster/nodes': [],
  'GET /v1/metrics': ['querystring'],
  'POST /v1/auth/keys': ['body'],
  'GET /v1/auth/keys': [],
  'DELETE /v1/auth/keys/:id': ['params'],
  'POST /v1/auth/keys/:id/rotate': ['params', 'body'],
  'POST /v1/auth/sse-token': [],
  'GET /v1/audit': ['querystring'],
  'GET /v1/audit/export': ['querystring'],
  'GET /v1/audit/verify': [],
  'POST /v1/admin/backup': [],
  'POST /v1/dev/route-task': ['body'],
  'GET /v1/dev/model-tiers': [],
  'POST /v1/memory': ['body'],
  'GET /v1/memory': ['querystring'],
  'GET /v1/memory/:key': ['params'],
  'DELETE /v1/memory/:key': ['params'],
};

function notFound(id: string): never {
  throw new AegisError('SESSION_NOT_FOUND', `no session ${id}`);
}

const supervisor = {
  get: (id: string) => (id === KNOWN ? { id } : notFound(id)),
  send: async () => ({ delivered: true, attempts: 1 }),
  approve: () => notFound(UNKNOWN),
  handleHook: async () => false,
} as unknown as Supervisor;

const status: DaemonStatus = {
  version: '0.0.0',
  uptimeSeconds: () => 0,
  tmuxHealth: async () => ({ connected: true, responding: true, version: '3.4' }),
  readiness: async () => ({ ready: true }),
  diagnostics: async () => {
    throw new Error('not asked in these tests');
  },
};

describe('buildApp', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    app = await buildApp({ config: configSchema.parse({}), supervisor, sse: {} as SseHub, status, logger: pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true })), keys: new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [] }) });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('catalogs every route with a zod schema for each part it takes, and every path parameter in its params schema', () => {
    const routes = app.routeCatalog.list();
    expect(routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      expect(Object.keys(route.schemas).sort(), key).toEqual([...EXPECTED[key]!].sort());
      for (const schema of Object.values(route.schemas)) expect(schema, key).toBeInstanceOf(z.ZodType);
      const pathParams = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const declared = route.schemas.params instanceof z.ZodObject ? Object.keys(route.schemas.params.shape) : [];
      expect(declared.sort(), key).toEqual(pathParams.sort());
    }
  });

  it('answers 404 for an unknown session before looking at the body it was sent', async () => {
    for (const [url, payload] of [
      [`/v1/sessions/${UNKNOWN}/send`, { text: '' }],
      [`/v1/sessions/${UNKNOWN}/approve`, { always: 'yes' }],
      [`/v1/sessions/${UNKNOWN}/reject`, { nope: true }],
      [`/v1/sessions/${UNKNOWN}/answer`, {}],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, payload });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('SESSION_NOT_FOUND');
    }
    const known = await app.inject({ method: 'POST', url: `/v1/sessions/${KNOWN}/send`, payload: { text: '' }, headers: { 'idempotency-key': 'bad key' } });
    expect(known.statusCode).toBe(400);
    // The body is answered first; its bad header is named only once the body is right.
    expect(new Set(known.json().error.details.issues.map((i: { path: string }) => i.path))).toEqual(new Set(['text']));
  });

  it('validates the session id as a path parameter', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/sessions//send', payload: { text: 'hi' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/^invalid params: id: /), details: { issues: [{ path: 'id' }] } });
  });

  it('validates a known session\'s headers after its body', async () => {
    const res = await app.inject({ method: 'POST', url: `/v1/sessions/${KNOWN}/send`, payload: { text: 'hi' }, headers: { 'idempotency-key': 'bad key' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ message: expect.stringMatching(/^invalid headers: idempotency-key: /), details: { issues: [{ path: 'idempotency-key' }] } });
  });

  it('has no hook route: hook calls go to their own listener', async () => {
    const res = await app.inject({ method: 'POST', url: `/v1/hooks/Stop?session=${KNOWN}`, payload: {}, headers: { 'x-aegis-hook-secret': 's' }, remoteAddress: '127.0.0.1' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});

describe('buildHookApp', () => {
  let hooks: Awaited<ReturnType<typeof buildHookApp>>;
  /** Every secret is right: what is refused is refused for something else. */
  const hearsEveryone = { handleHook: async () => ({}) } as unknown as Supervisor;
  beforeAll(async () => {
    hooks = await buildHookApp({ config: configSchema.parse({}), supervisor: hearsEveryone, logger: pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true })) });
    await hooks.ready();
  });
  afterAll(async () => {
    await hooks?.close();
  });
  const call = (url: string, remoteAddress: string, headers: Record<string, string> = { 'x-aegis-hook-secret': 's' }, payload: unknown = {}) =>
    hooks.inject({ method: 'POST', url, payload: payload as object, headers, remoteAddress });

  it('answers a hook call 404 for an unknown event and 401 without a secret, whatever its body holds', async () => {
    expect((await call(`/v1/hooks/Nope?session=${KNOWN}`, '127.0.0.1', { 'x-aegis-hook-secret': 's' }, [])).statusCode).toBe(404);
    expect((await call(`/v1/hooks/Stop?session=${KNOWN}`, '127.0.0.1', {}, [])).statusCode).toBe(401);
    const badBody = await call(`/v1/hooks/Stop?session=${KNOWN}`, '127.0.0.1', { 'x-aegis-hook-secret': 's' }, []);
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error.details.issues).toEqual([{ path: 'body', message: expect.any(String) }]);
  });

  it('refuses a caller that is not on loopback although its secret is right', async () => {
    for (const remote of ['10.1.2.3', '192.168.1.9', '::ffff:10.0.0.1', 'fe80::1']) {
      const res = await call(`/v1/hooks/Stop?session=${KNOWN}`, remote);
      expect(res.statusCode, remote).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
    for (const local of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect((await call(`/v1/hooks/Stop?session=${KNOWN}`, local)).statusCode, local).toBe(200);
  });

  it('makes no logger of its own for a hook call that logs nothing', async () => {
    // Hook calls come several a second from every working session: a pino child each was a cost of its own.
    const logger = pino({ level: 'info' }, pino.destination({ dest: 1, sync: true }));
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...args: Parameters<typeof child>) => (children++, child(...args))) as typeof logger.child;
    const quiet = await buildHookApp({ config: configSchema.parse({}), supervisor: hearsEveryone, logger });
    try {
      await quiet.ready();
      children = 0;
      const res = await quiet.inject({ method: 'POST', url: `/v1/hooks/Stop?session=${KNOWN}`, payload: {}, headers: { 'x-aegis-hook-secret': 's' }, remoteAddress: '127.0.0.1' });
      expect(res.statusCode).toBe(200);
      expect(children).toBe(0);
    } finally {
      await quiet.close();
    }
  });

  it('serves nothing but the hook route', async () => {
    for (const url of ['/v1/health', '/v1/sessions', `/v1/sessions/${KNOWN}`]) expect((await hooks.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' })).statusCode, url).toBe(404);
  });
});
