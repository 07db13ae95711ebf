/** GET /v1/health: is the daemon up, and can it reach tmux. Never needs auth. */
import type { FastifyInstance } from 'fastify';
import type { Supervisor } from '../../sessions/supervisor.js';
import type { TmuxServer } from '../../tmux/tmux-server.js';

export interface HealthDeps {
  supervisor: Supervisor;
  tmux: TmuxServer;
  version: string;
  startedAt: number;
}

export function healthRoutes(app: FastifyInstance, { supervisor, tmux, version, startedAt }: HealthDeps): void {
  let tmuxVersion: string | null = null;
  app.get('/v1/health', async () => {
    tmuxVersion ??= await tmux.version().catch(() => null);
    const healthy = tmux.connected;
    return {
      status: healthy ? 'ok' : 'degraded',
      version,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      sessions: { active: supervisor.activeCount(), total: supervisor.totalCount },
      tmux: { healthy, version: tmuxVersion },
    };
  });
}
