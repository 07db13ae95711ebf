/** GET /v1/health: is the daemon up, and can it reach tmux. Never needs auth. */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import type { DaemonStatus } from '../../operations/daemon-status.js';
import type { Supervisor } from '../../sessions/supervisor.js';
import { healthSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface HealthRoutesOptions {
  supervisor: Supervisor;
  status: DaemonStatus;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { supervisor, status }) => {
  app.get('/v1/health', { schema: { response: { 200: healthSchema } } }, async () => {
    const tmux = await status.tmuxHealth();
    return {
      status: tmux.responding ? ('ok' as const) : ('degraded' as const),
      version: status.version,
      uptimeSeconds: status.uptimeSeconds(),
      sessions: { active: supervisor.activeCount(), total: supervisor.totalCount },
      tmux: { healthy: tmux.responding, version: tmux.version },
    };
  });
};
