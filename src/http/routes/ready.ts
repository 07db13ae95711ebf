/**
 * GET /v1/ready, for load balancers: 200 when the daemon can take new work, 503 with the reasons when
 * it cannot. Like /v1/health it never needs auth.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import type { DaemonStatus } from '../../operations/daemon-status.js';
import { readinessSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface ReadyRoutesOptions {
  status: DaemonStatus;
}

export const readyRoutes: FastifyPluginAsync<ReadyRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { status }) => {
  app.get('/v1/ready', { schema: { response: { 200: readinessSchema, 503: readinessSchema } } }, async (_request, reply) => {
    const readiness = await status.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
};
