import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { Supervisor } from '../sessions/supervisor.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { createDaemonStatus } from './daemon-status.js';

/** A tmux whose probes the test answers by hand, counting them. */
function probedTmux() {
  const pending: Array<(answer: boolean) => void> = [];
  const tmux = {
    connected: true,
    responds: () => new Promise<boolean>((resolve) => pending.push(resolve)),
    version: async () => '3.3a',
  };
  return { tmux: tmux as unknown as TmuxServer, pending };
}

function statusOf(tmux: TmuxServer) {
  const config = configSchema.parse({ stateDir: '/nonexistent', tmuxSocket: 'unused' });
  return createDaemonStatus({
    config,
    supervisor: {} as Supervisor,
    tmux,
    proveStoreWritable: () => {},
    storeFile: '/nonexistent/aegis.db',
    sseConnections: () => 0,
    version: '0.0.0',
    startedAt: Date.now(),
  });
}

describe('tmux health', () => {
  it('asks tmux once for health asked many times while the probe is out', async () => {
    const { tmux, pending } = probedTmux();
    const status = statusOf(tmux);
    const answers = Promise.all(Array.from({ length: 5 }, () => status.tmuxHealth()));
    await Promise.resolve();
    expect(pending).toHaveLength(1);
    pending[0]!(true);
    expect((await answers).map((h) => h.responding)).toEqual([true, true, true, true, true]);
  });

  it('probes again for health asked after the last probe ended: a tmux stopped since then is seen at once', async () => {
    const { tmux, pending } = probedTmux();
    const status = statusOf(tmux);
    const first = status.tmuxHealth();
    await Promise.resolve();
    pending[0]!(true);
    expect((await first).responding).toBe(true);
    const second = status.tmuxHealth();
    await Promise.resolve();
    expect(pending).toHaveLength(2);
    pending[1]!(false);
    expect((await second).responding).toBe(false);
  });
});
