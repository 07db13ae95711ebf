/**
 * The response schemas the routes declare (src/http/response-schemas.ts) against what a live daemon
 * really answers: each answer parses under the schema its route declares for that status (the error
 * envelope for an error), and parsing keeps every field, so a field the daemon sends that the schema
 * does not document, or documents with another type, fails here. It also shows the schemas only
 * document: the answers are sent whole.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { memoryBridgeSchema } from '../../src/config/memory-bridge-schema.js';
import { errorEnvelopeSchema } from '../../src/http/response-schemas.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

const TOKEN = 'response-schemas-master-token-0123456789';

let td: TestDaemon;
const checked = new Set<string>();

let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aegis-responses-'));
  const standIn = join(scratch, 'stand-in-claude.sh');
  writeFileSync(standIn, '#!/bin/sh\n# Takes Claude\'s place in the pane: accepts any arguments and waits.\nexec sleep 600\n');
  chmodSync(standIn, 0o755);
  td = await startTestDaemon({ claude: false, config: { authToken: TOKEN, claudeCommand: standIn, memoryBridge: memoryBridgeSchema.parse({ enabled: true }) }, timing: { readyTimeoutMs: 300, killGraceMs: 300 } });
});

afterAll(async () => {
  await td?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Calls a route, and checks its answer against what the route declares for the answer's status. */
async function call(method: string, url: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const answer = await td.api(method, path, body, { authorization: `Bearer ${TOKEN}` });
  // A 204 has no body: what its schema documents as null.
  const res = answer.status === 204 ? { ...answer, body: null } : answer;
  const route = td.daemon.app.routeCatalog.find(method, url);
  expect(route, `${method} ${url} is served`).toBeDefined();
  const declared = route!.responses[String(res.status)];
  const schema: z.ZodType = declared ?? (res.status >= 400 ? errorEnvelopeSchema : undefined)!;
  expect(schema, `${method} ${url} declares its ${res.status} answer`).toBeDefined();
  const parsed = schema.safeParse(res.body);
  expect(parsed.error?.issues, `${method} ${path} answered ${res.status} outside its schema`).toBeUndefined();
  expect(parsed.data, `${method} ${path}: every field the daemon sent is in the schema`).toEqual(res.body);
  checked.add(`${method} ${url}`);
  return res;
}

describe('what the daemon answers', () => {
  it('matches each route\'s declared response schema, errors the envelope', async () => {
    await call('GET', '/v1/health', '/v1/health');
    await call('GET', '/v1/ready', '/v1/ready');
    await call('GET', '/v1/openapi.json', '/v1/openapi.json');
    await call('GET', '/v1/diagnostics', '/v1/diagnostics');

    const created = await call('POST', '/v1/sessions', '/v1/sessions', { workDir: td.workDir('app'), name: 'schemas' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await call('GET', '/v1/sessions', '/v1/sessions');
    await call('GET', '/v1/sessions/health', '/v1/sessions/health');
    await call('GET', '/v1/sessions/:id', `/v1/sessions/${id}`);
    await call('GET', '/v1/sessions/:id/health', `/v1/sessions/${id}/health`);
    await call('GET', '/v1/sessions/:id/read', `/v1/sessions/${id}/read`);
    await call('GET', '/v1/sessions/:id/pane', `/v1/sessions/${id}/pane`);
    await call('GET', '/v1/sessions/:id/permissions', `/v1/sessions/${id}/permissions`);
    await call('POST', '/v1/sessions/:id/escape', `/v1/sessions/${id}/escape`);
    await call('POST', '/v1/sessions/:id/interrupt', `/v1/sessions/${id}/interrupt`);
    expect(await call('POST', '/v1/sessions/:id/input', `/v1/sessions/${id}/input`, { data: 'ls\r' })).toMatchObject({ status: 200, body: { typed: 3 } });
    expect((await call('POST', '/v1/sessions/:id/approve', `/v1/sessions/${id}/approve`)).status).toBeGreaterThanOrEqual(400);
    expect((await call('POST', '/v1/sessions/:id/send', `/v1/sessions/${id}/send`, { text: 12 })).status).toBe(400);
    await call('DELETE', '/v1/sessions/:id', `/v1/sessions/${id}`);
    expect((await call('GET', '/v1/sessions/:id', '/v1/sessions/no-such-session')).status).toBe(404);

    const key = await call('POST', '/v1/auth/keys', '/v1/auth/keys', { name: 'schemas', role: 'viewer' });
    expect(key.status).toBe(201);
    await call('GET', '/v1/auth/keys', '/v1/auth/keys');
    await call('POST', '/v1/auth/keys/:id/rotate', `/v1/auth/keys/${key.body.id}/rotate`, { graceSeconds: 0 });
    await call('DELETE', '/v1/auth/keys/:id', `/v1/auth/keys/${key.body.id}`);
    await call('POST', '/v1/auth/sse-token', '/v1/auth/sse-token');
    expect((await call('POST', '/v1/auth/login', '/v1/auth/login', { token: TOKEN })).body.identity).toMatchObject({ name: 'master', role: 'admin' });
    await call('GET', '/v1/auth/session', '/v1/auth/session');
    expect((await call('POST', '/v1/auth/logout', '/v1/auth/logout')).status).toBe(204);
    // The dashboard's page, or (no build in this checkout) the envelope saying to build it; an asset, or 404.
    expect([200, 503]).toContain((await call('GET', '/', '/')).status);
    expect([200, 404]).toContain((await call('GET', '/assets/*', '/assets/no-such-file.js')).status);

    const audit = await call('GET', '/v1/audit', '/v1/audit?limit=5');
    expect(audit.body.entries.length).toBeGreaterThan(0);
    expect(typeof (await call('GET', '/v1/audit/export', '/v1/audit/export?format=csv')).body).toBe('string');
    await call('GET', '/v1/audit/verify', '/v1/audit/verify');
    expect((await call('POST', '/v1/admin/backup', '/v1/admin/backup')).status).toBe(201);
    await call('POST', '/v1/dev/route-task', '/v1/dev/route-task', { task: 'rename a variable' });
    await call('GET', '/v1/dev/model-tiers', '/v1/dev/model-tiers');
    await call('GET', '/v1/metrics', '/v1/metrics');
    expect((await call('GET', '/v1/cluster/nodes', '/v1/cluster/nodes')).body.nodes).toHaveLength(1);

    expect((await call('POST', '/v1/memory', '/v1/memory', { key: 'notes/a', value: { n: 1 }, ttlSeconds: 60 })).status).toBe(201);
    await call('GET', '/v1/memory', '/v1/memory?prefix=notes/');
    await call('GET', '/v1/memory/:key', '/v1/memory/notes%2Fa');
    await call('DELETE', '/v1/memory/:key', '/v1/memory/notes%2Fa');

    // The streams answer text/event-stream; the rest were all called above.
    const notCalled = td.daemon.app.routeCatalog.list().map((r) => `${r.method} ${r.url}`).filter((r) => !checked.has(r));
    expect(notCalled.sort()).toEqual(['GET /v1/events', 'GET /v1/sessions/:id/events', 'GET /v1/sessions/:id/terminal', 'POST /v1/sessions/:id/answer', 'POST /v1/sessions/:id/reject']);
  });
});
