/** GET /v1/health: is the daemon up, and can it reach tmux. Never needs auth. */
import type { FastifyPluginAsync } from 'fastify';
import type { DaemonStatus } from '../../operations/daemon-status.js';
import type { Supervisor } from '../../sessions/supervisor.js';

export interface HealthRoutesOptions {
  supervisor: Supervisor;
  status: DaemonStatus;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { supervisor, status }) => {
  app.get('/v1/health', async () => {
    const tmux = await status.tmuxHealth();
    return {
      status: tmux.responding ? 'ok' : 'degraded',
      version: status.version,
      uptimeSeconds: status.uptimeSeconds(),
      sessions: { active: supervisor.activeCount(), total: supervisor.totalCount },
      tmux: { healthy: tmux.responding, version: tmux.version },
    };
  });
};
