/**
 * GET /v1/diagnostics: what an operator needs to see why the daemon misbehaves, in one answer. The
 * daemon's status reports it; this route adds only what the HTTP server alone knows, its open
 * connections.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import type { DaemonStatus } from '../../operations/daemon-status.js';
import { diagnosticsSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface DiagnosticsRoutesOptions {
  status: DaemonStatus;
}

export const diagnosticsRoutes: FastifyPluginAsync<DiagnosticsRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { status }) => {
  const openConnections = () => new Promise<number>((resolve) => app.server.getConnections((err, count) => resolve(err ? -1 : count)));
  app.get('/v1/diagnostics', { schema: { response: { 200: diagnosticsSchema } } }, async () => status.diagnostics(openConnections));
};
