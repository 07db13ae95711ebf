/**
 * GET /v1/metrics: the daemon's totals as JSON, or as Prometheus text for a scraper (`?format=prometheus`,
 * or an `Accept` that takes text/plain and not JSON, as Prometheus itself sends).
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { z } from 'zod';
import type { DaemonMetrics } from '../../metrics/daemon-metrics.js';
import { metricsTotalsSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export const metricsQuerySchema = z.object({ format: z.enum(['json', 'prometheus']).optional() }).strict();

/** What the HTTP layer reads from the daemon's metrics, and tells them (each request's duration). */
export type MetricsReport = Pick<DaemonMetrics, 'totals' | 'prometheus' | 'prometheusContentType' | 'observeRequest'>;

/** The metrics of an app built without a daemon's (a test of the HTTP layer alone): nothing counted. */
export const NO_METRICS: MetricsReport = {
  totals: async () => ({}) as Awaited<ReturnType<DaemonMetrics['totals']>>,
  prometheus: async () => '',
  prometheusContentType: 'text/plain; version=0.0.4; charset=utf-8',
  observeRequest: () => {},
};

export interface MetricsRoutesOptions {
  metrics: MetricsReport;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { metrics }) => {
  app.get('/v1/metrics', { schema: { querystring: metricsQuerySchema, response: { 200: metricsTotalsSchema } } }, async (request, reply) => {
    const format = request.query.format ?? (wantsText(request.headers.accept) ? 'prometheus' : 'json');
    if (format === 'json') return metrics.totals();
    return reply.type(metrics.prometheusContentType).send(await metrics.prometheus());
  });
};

/** Prometheus asks for OpenMetrics first and text/plain after; a client that names JSON gets JSON. */
function wantsText(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return types.includes('text/plain') && !types.includes('application/json');
}
