/**
 * GET /v1/openapi.json: the API's OpenAPI 3.1 description, built from the route catalog the first time
 * it is asked for (the catalog is complete by then). Like /v1/health it never needs auth: it says what
 * the API takes, nothing about what the daemon holds.
 */
import type { FastifyPluginAsync } from 'fastify';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi.js';

export interface OpenApiRoutesOptions {
  version: string;
}

export const openApiRoutes: FastifyPluginAsync<OpenApiRoutesOptions> = async (app, { version }) => {
  let document: OpenApiDocument | undefined;
  app.get('/v1/openapi.json', async () => (document ??= buildOpenApiDocument(app.routeCatalog.list(), version)));
};
