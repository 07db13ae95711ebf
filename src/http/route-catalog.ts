/**
 * Every route the app serves, with the zod schemas of what it takes and what it answers, and the scope
 * it needs (a route with no scope is refused when it is added), collected as routes are added:
 * the one place a generator of the API's description (OpenAPI) or a test walks to see the whole API.
 * The app exposes it as `app.routeCatalog`; it is complete once the app is ready.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { z } from 'zod';
import { routeAccess, type RouteAccess } from './route-scopes.js';

/** The request parts a route may declare a schema for. */
export const REQUEST_PARTS = ['params', 'querystring', 'headers', 'body'] as const;
export type RequestPart = (typeof REQUEST_PARTS)[number];

export interface CatalogedRoute {
  method: string;
  url: string;
  schemas: Partial<Record<RequestPart, z.ZodType>>;
  /** What it answers, by status code (`schema.response`): its successes, and any error answered otherwise than in the envelope. */
  responses: Record<string, z.ZodType>;
  /** The scope it needs (route-scopes.ts). */
  access: RouteAccess;
}

export class RouteCatalog {
  private readonly routes: CatalogedRoute[] = [];

  record(options: Pick<RouteOptions, 'method' | 'url' | 'schema'>): void {
    const schemas: CatalogedRoute['schemas'] = {};
    for (const part of REQUEST_PARTS) {
      const schema = options.schema?.[part];
      if (schema !== undefined) schemas[part] = schema as z.ZodType;
    }
    const responses = { ...(options.schema?.response as Record<string, z.ZodType> | undefined) };
    for (const method of [options.method].flat()) {
      // fastify adds a HEAD route beside every GET; it takes what the GET takes and is not described apart.
      if (method === 'HEAD') continue;
      const access = routeAccess(method, options.url);
      if (access === undefined) throw new Error(`${method} ${options.url} has no entry in src/http/route-scopes.ts: say which scope it needs before serving it`);
      this.routes.push({ method, url: options.url, schemas, responses, access });
    }
  }

  /** The routes in the order they were added. */
  list(): readonly CatalogedRoute[] {
    return this.routes;
  }

  find(method: string, url: string): CatalogedRoute | undefined {
    return this.routes.find((r) => r.method === method && r.url === url);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    routeCatalog: RouteCatalog;
  }
}

/** Registered before any route plugin, so its onRoute hook sees every route. */
export const routeCatalogPlugin = fp(async (app: FastifyInstance) => {
  const catalog = new RouteCatalog();
  app.decorate('routeCatalog', catalog);
  app.addHook('onRoute', (options) => catalog.record(options));
});
