/**
 * The router's own routes: what tier and model a task would get, and why (a dry run: nothing starts),
 * and the configured tiers.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { z } from 'zod';
import type { ModelRouter } from '../../router/model-router.js';
import { modelTiersSchema, routeDecisionSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface ModelRouterRoutesOptions {
  router: ModelRouter;
}

/** A task as a create's prompt may be: up to 1 MiB of text. */
const routeTaskSchema = z.object({ task: z.string().min(1, 'must not be empty').max(1024 * 1024, 'must be at most 1 MiB') }).strict();

export const modelRouterRoutes: FastifyPluginAsync<ModelRouterRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { router }) => {
  app.post('/v1/dev/route-task', { schema: { body: routeTaskSchema, response: { 200: routeDecisionSchema } } }, async (request) => router.route(request.body.task));

  app.get('/v1/dev/model-tiers', { schema: { response: { 200: modelTiersSchema } } }, async () => ({ enabled: router.enabled, tiers: router.tiers() }));
};
