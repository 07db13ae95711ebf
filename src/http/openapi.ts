/**
 * The API's OpenAPI 3.1 description, built from the route catalog: every route's path, method, path
 * parameters, query, headers and body come from its zod route schemas (z.toJSONSchema, whose output is
 * the JSON Schema 2020-12 that OpenAPI 3.1 uses), and its scope from route-scopes.ts. Nothing here is
 * written by hand per route, so the description cannot drift from what the daemon validates.
 */
import { z } from 'zod';
import type { CatalogedRoute } from './route-catalog.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

interface Operation {
  operationId: string;
  summary: string;
  description: string;
  'x-aegis-scope': string;
  security: Record<string, string[]>[];
  parameters: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, unknown>;
}

const ERROR_ENVELOPE: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

export function buildOpenApiDocument(routes: readonly CatalogedRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    (paths[path] ??= {})[route.method.toLowerCase()] = operationFor(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Aegis', version, description: 'Runs Claude Code sessions in tmux and drives them over HTTP. See docs/api.md.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The master token or an API key; SSE routes also take an SSE token as ?token=.' } },
      schemas: { Error: ERROR_ENVELOPE },
    },
    paths,
  };
}

/** `/v1/sessions/:id` as OpenAPI writes it: `/v1/sessions/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The names of a fastify URL's path parameters. */
export function pathParamNames(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? '');
}

function operationFor(route: CatalogedRoute): Operation {
  const { method, url, schemas, access } = route;
  const isPublic = access === 'public';
  const scopeNote = isPublic ? 'No credentials needed.' : `Requires scope \`${access}\`.`;
  const parameters = [
    ...pathParameters(url, schemas.params),
    ...objectParameters(schemas.querystring, 'query'),
    ...objectParameters(schemas.headers, 'header'),
  ];
  const operation: Operation = {
    operationId: operationId(method, url),
    summary: `${method} ${url}`,
    description: `${scopeNote} See docs/api.md.`,
    'x-aegis-scope': access,
    security: isPublic ? [] : [{ bearer: [] }],
    parameters,
    responses: {
      '2XX': { description: 'Success' },
      default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
  if (schemas.body !== undefined) {
    operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body) } } };
  }
  return operation;
}

/** Every parameter in the URL is declared, with the route's schema for it when it has one. */
function pathParameters(url: string, schema: z.ZodType | undefined): Parameter[] {
  const properties = schema ? objectProperties(jsonSchema(schema)) : {};
  return pathParamNames(url).map((name) => ({ name, in: 'path', required: true, schema: properties[name] ?? { type: 'string' } }));
}

function objectParameters(schema: z.ZodType | undefined, where: 'query' | 'header'): Parameter[] {
  if (schema === undefined) return [];
  const object = jsonSchema(schema);
  const required = new Set(Array.isArray(object.required) ? (object.required as string[]) : []);
  return Object.entries(objectProperties(object)).map(([name, property]) => {
    const parameter: Parameter = { name, in: where, required: required.has(name), schema: property };
    if (typeof property.description === 'string') parameter.description = property.description;
    return parameter;
  });
}

function objectProperties(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema.properties ?? {}) as Record<string, JsonSchema>;
}

/** What a request may send (`io: 'input'`); checks JSON Schema cannot say (refinements, transforms) are left out. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function operationId(method: string, url: string): string {
  const words = url.replace(/^\/v1\//, '').split(/[/-]/).filter(Boolean).map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part));
  return [method.toLowerCase(), ...words].map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
