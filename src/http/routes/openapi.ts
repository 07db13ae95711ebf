/**
 * GET /v1/openapi.json: the API's OpenAPI 3.1 description, built from the route catalog the first time
 * it is asked for (the catalog is complete by then). Like /v1/health it never needs auth: it says what
 * the API takes, nothing about what the daemon holds.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi.js';
import { openApiDocumentSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface OpenApiRoutesOptions {
  version: string;
}

export const openApiRoutes: FastifyPluginAsync<OpenApiRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { version }) => {
  let document: OpenApiDocument | undefined;
  app.get('/v1/openapi.json', { schema: { response: { 200: openApiDocumentSchema } } }, async () => (document ??= buildOpenApiDocument(app.routeCatalog.list(), version)));
};
