/**
 * The OpenAPI description: served at /v1/openapi.json to anyone, valid OpenAPI 3.1 in shape, naming
 * every route the app serves with its path parameters, query, headers, body and scope; and docs/api.md's
 * route table checked against it, so a route added without its doc (or a doc row for a route that is
 * gone, or a wrong scope) fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryKeyRepository } from '../auth/key-repository.js';
import { KeyService } from '../auth/keys.js';
import { configSchema } from '../config/schema.js';
import { buildApp } from './app.js';
import { buildOpenApiDocument, openApiPath, pathParamNames, type OpenApiDocument } from './openapi.js';
import type { CatalogedRoute } from './route-catalog.js';
import { routeReferenceProblems } from './route-reference.js';
import { ROUTE_ACCESS } from './route-scopes.js';
import { sse, status, stubSupervisor } from '../../test/support/app-stubs.js';

const API_DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'api.md'), 'utf8');
const silent = pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true }));

describe('GET /v1/openapi.json', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let document: OpenApiDocument;

  beforeAll(async () => {
    const config = configSchema.parse({ authToken: 'openapi-test-master-token-0123456789' });
    const keys = new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [] });
    app = await buildApp({ config, supervisor: stubSupervisor(new Map()), sse, status, logger: silent, keys });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(res.statusCode, res.body).toBe(200);
    document = res.json();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is served without credentials on a daemon with a master token, as OpenAPI 3.1 with a bearer scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Aegis', version: '0.0.0' });
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      cookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'aegis_session' }),
    });
  });

  it('describes every route the app serves, and nothing else', () => {
    const described = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    const served = app.routeCatalog.list().map((r) => `${r.method} ${openApiPath(r.url)}`);
    expect(described.sort()).toEqual(served.sort());
    expect(served).toContain('GET /v1/openapi.json');
  });

  it('declares every path parameter, from a params schema each such route has, and each operation once', () => {
    const ids = new Set<string>();
    for (const route of app.routeCatalog.list()) {
      const operation = document.paths[openApiPath(route.url)]![route.method.toLowerCase()]!;
      const names = pathParamNames(route.url);
      if (names.length > 0) expect(route.schemas.params, `${route.method} ${route.url} has no params schema`).toBeInstanceOf(z.ZodObject);
      const declared = operation.parameters.filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), route.url).toEqual([...names].sort());
      for (const p of declared) expect(p.required, `${route.url} ${p.name}`).toBe(true);
      for (const name of [...openApiPath(route.url).matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) expect(names).toContain(name);
      expect(ids.has(operation.operationId), operation.operationId).toBe(false);
      ids.add(operation.operationId);
    }
  });

  it('gives each operation its scope as x-aegis-scope and in its description, and bearer security unless public', () => {
    for (const route of app.routeCatalog.list()) {
      const key = `${route.method} ${route.url}`;
      const operation = document.paths[openApiPath(route.url)]![route.method.toLowerCase()]!;
      expect(operation['x-aegis-scope'], key).toBe(ROUTE_ACCESS[key]);
      if (operation['x-aegis-scope'] === 'public') {
        expect(operation.security, key).toEqual([]);
        expect(operation.description, key).toMatch(/No credentials needed/);
      } else {
        expect(operation.security, key).toEqual([{ bearer: [] }, { cookie: [] }]);
        expect(operation.description, key).toContain(`\`${ROUTE_ACCESS[key]}\``);
      }
    }
  });

  it('takes query, headers and bodies from the route schemas', () => {
    const create = document.paths['/v1/sessions']!.post!;
    const body = create.requestBody!.content['application/json'].schema as { type: string; properties: Record<string, unknown>; required: string[] };
    expect(body.type).toBe('object');
    expect(body.properties).toHaveProperty('workDir');
    expect(body.required).toContain('workDir');
    expect(create.requestBody!.required).toBe(true);
    // approve takes no body at all (the one pending request): its body is not required.
    expect(document.paths['/v1/sessions/{id}/approve']!.post!.requestBody!.required).toBe(false);
    const list = document.paths['/v1/sessions']!.get!;
    expect(list.parameters.find((p) => p.name === 'status')).toMatchObject({ in: 'query', required: false });
    const send = document.paths['/v1/sessions/{id}/send']!.post!;
    expect(send.parameters.find((p) => p.name === 'idempotency-key')).toMatchObject({ in: 'header' });
    expect(document.paths['/v1/health']!.get!.requestBody).toBeUndefined();
  });

  it('gives each route its answers from its response schemas, and its errors in the envelope', () => {
    const created = document.paths['/v1/sessions']!.post!.responses;
    const session = created['201']!.content!['application/json']!.schema as { properties: Record<string, unknown>; required: string[] };
    expect(session.required).toEqual(expect.arrayContaining(['id', 'status', 'workDir', 'usage', 'tmux', 'reused']));
    expect(created['200']).toBeDefined();
    expect(Object.keys(created)).toEqual(expect.arrayContaining(['400', '401', '403', '429', 'default']));
    expect(created['400']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(document.paths['/v1/sessions/{id}']!.get!.responses['404']).toBeDefined();
    expect(Object.keys(document.paths['/v1/health']!.get!.responses).sort()).toEqual(['200', 'default']);
    expect(Object.keys(document.paths['/v1/ready']!.get!.responses)).toEqual(expect.arrayContaining(['200', '503']));
    expect(Object.keys(document.paths['/v1/events']!.get!.responses['200']!.content!)).toEqual(['text/event-stream']);
    expect(document.components.schemas.Error).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('holds only references that resolve inside the document, and no schema dialect per part', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          expect(key, 'a $schema or $defs inside an operation does not resolve from the document root').not.toMatch(/^\$(schema|defs)$/);
          if (key === '$ref') refs.push(value as string);
          walk(value);
        }
      }
    };
    walk(document.paths);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target = ref.replace(/^#\//, '').split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
      expect(target, ref).toBeDefined();
    }
  });

  it('matches the route table of docs/api.md exactly, scopes included', () => {
    expect(routeReferenceProblems(API_DOC, document)).toEqual([]);
  });
});

describe('the route table check', () => {
  const answer = { 200: z.object({ ok: z.boolean() }) };
  const route = (method: string, url: string, access: CatalogedRoute['access'], schemas: CatalogedRoute['schemas'] = {}, responses: CatalogedRoute['responses'] = answer): CatalogedRoute => ({
    method, url, access, schemas, responses,
  });
  const document = buildOpenApiDocument(
    [route('GET', '/v1/health', 'public'), route('DELETE', '/v1/things/:id', 'sessions:write', { params: z.object({ id: z.uuid() }) })],
    '1.0.0',
  );
  const table = (...rows: string[]) => `intro\n\n| route | scope |\n|---|---|\n${rows.join('\n')}\n\nmore\n`;

  it('passes a table that lists exactly the routes, with their scopes', () => {
    expect(routeReferenceProblems(table('| `GET /v1/health` | none |', '| `DELETE /v1/things/:id` | `sessions:write` |'), document)).toEqual([]);
  });

  it('fails a route served but not documented, documented but not served, or documented with another scope', () => {
    expect(routeReferenceProblems(table('| `GET /v1/health` | none |'), document)).toEqual(['DELETE /v1/things/:id is served but not in the route table']);
    expect(routeReferenceProblems(table('| `GET /v1/health` | none |', '| `DELETE /v1/things/:id` | `sessions:write` |', '| `GET /v1/gone` | none |'), document)).toEqual([
      'GET /v1/gone is in the route table but not served',
    ]);
    expect(routeReferenceProblems(table('| `GET /v1/health` | none |', '| `DELETE /v1/things/:id` | `sessions:read` |'), document)).toEqual([
      'DELETE /v1/things/:id needs sessions:write but the route table says sessions:read',
    ]);
  });

  it('fails a route that declares no response schema for its success', () => {
    const bare = buildOpenApiDocument([route('GET', '/v1/health', 'public', {}, {}), route('DELETE', '/v1/things/:id', 'sessions:write', {}, { 404: z.object({}) })], '1.0.0');
    expect(routeReferenceProblems(table('| `GET /v1/health` | none |', '| `DELETE /v1/things/:id` | `sessions:write` |'), bare)).toEqual([
      'GET /v1/health declares no response schema for its success (schema.response, src/http/response-schemas.ts)',
      'DELETE /v1/things/{id} declares no response schema for its success (schema.response, src/http/response-schemas.ts)',
    ]);
  });

  it('fails the real doc once a route is added that it does not list', () => {
    const grown = buildOpenApiDocument([route('GET', '/v1/undocumented', 'public')], '1.0.0');
    expect(routeReferenceProblems(API_DOC, grown)).toContain('GET /v1/undocumented is served but not in the route table');
  });

  it('declares a path parameter with the schema the route gives it', () => {
    expect(document.paths['/v1/things/{id}']!.delete!.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', format: 'uuid' }) }]);
  });
});
