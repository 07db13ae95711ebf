/**
 * The API's OpenAPI 3.1 description, built from the route catalog: every route's path, method, path
 * parameters, query, headers, body and answers come from its zod route schemas (z.toJSONSchema, whose
 * output is the JSON Schema 2020-12 that OpenAPI 3.1 uses), and its scope from route-scopes.ts. The
 * errors a route can answer, in the contract's envelope, follow from what it takes and whether it needs
 * credentials. Nothing here is written by hand per route, so the description cannot drift from what
 * the daemon validates and answers.
 */
import { z } from 'zod';
import type { CatalogedRoute } from './route-catalog.js';
import { errorEnvelopeSchema, mediaTypesOf } from './response-schemas.js';

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
  responses: Record<string, Response>;
}

interface Response {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string): Response => ({ description, content: { 'application/json': { schema: ERROR_REF } } });

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
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The master token or an API key; SSE routes also take an SSE token as ?token=.' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'aegis_session', description: 'A dashboard login (POST /v1/auth/login); POST, PUT, PATCH and DELETE also need its CSRF token in X-CSRF-Token.' },
      },
      schemas: { Error: jsonSchema(errorEnvelopeSchema, 'output') },
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
  const scopeNote = isPublic ? 'No credentials needed.' : access === 'authenticated' ? 'Requires any valid credentials (`authenticated`).' : access === 'optional' ? 'Answers without credentials too; credentials sent must be valid (`optional`).' : `Requires scope \`${access}\`.`;
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
    security: isPublic ? [] : [{ bearer: [] }, { cookie: [] }],
    parameters,
    responses: responsesFor(route),
  };
  if (schemas.body !== undefined) {
    // A body the route takes when it is missing (approve, reject, rotate) is not required.
    operation.requestBody = { required: !schemas.body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(schemas.body) } } };
  }
  return operation;
}

/**
 * What the route declares it answers, then the errors it can answer in the envelope: 400 when it takes
 * input, 401/403/429 when it needs credentials, 404 when it names something by id, and any other
 * (409, 503, …: docs/errors.md) as the default.
 */
function responsesFor(route: CatalogedRoute): Record<string, Response> {
  const responses: Record<string, Response> = {};
  for (const [code, schema] of Object.entries(route.responses)) {
    const content = Object.fromEntries(mediaTypesOf(schema).map((type) => [type, { schema: jsonSchema(schema, 'output') }]));
    responses[code] = { description: describeStatus(code), content };
  }
  const takesInput = Object.keys(route.schemas).length > 0;
  if (takesInput) responses['400'] ??= errorResponse('The request is invalid (INVALID_REQUEST, naming each field)');
  if (route.access !== 'public') {
    responses['401'] ??= errorResponse('No valid credentials (UNAUTHORIZED)');
    responses['403'] ??= errorResponse(route.access === 'authenticated' || route.access === 'optional' ? 'A cookie request without its CSRF token (CSRF_TOKEN_INVALID)' : `The credentials lack the scope \`${route.access}\` (FORBIDDEN)`);
  }
  if (pathParamNames(route.url).length > 0) responses['404'] ??= errorResponse('Nothing by that id, or not visible to the caller');
  if (route.access !== 'public') responses['429'] ??= errorResponse('Too many requests (RATE_LIMITED, with Retry-After)');
  responses.default ??= errorResponse('Any other error, in the envelope (docs/errors.md)');
  return responses;
}

function describeStatus(code: string): string {
  if (code === '200') return 'OK';
  if (code === '201') return 'Created';
  if (code === '503') return 'Not ready';
  return `Status ${code}`;
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

/**
 * What a request may send (`io: 'input'`) or an answer holds (`'output'`); checks JSON Schema cannot
 * say (refinements, transforms) are left out.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function operationId(method: string, url: string): string {
  const words = url.replace(/^\/v1\//, '').split(/[/-]/).filter(Boolean).map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part));
  return [method.toLowerCase(), ...words].map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
