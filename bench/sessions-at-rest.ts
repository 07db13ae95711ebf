/**
 * The start of the CPU benchmarks: a daemon of its own process (`aegis serve`, as in production, so
 * its CPU time is its own and not the benchmark's) with sessions of the real Claude Code, all idle.
 */
import { startTestDaemon, type TestDaemon } from '../test/support/daemon.js';
import { waitFor } from '../test/support/wait-for.js';
import { tmuxServerPid } from './process-cpu.js';

/** After every session is idle, before anything is measured (as on 2026-11-23). */
export const SETTLE_SECONDS = 5;

export interface SessionsAtRest {
  t: TestDaemon;
  ids: string[];
  daemonPid: number;
  tmuxPid: number;
}

export async function sessionsAtRest(count: number, { settleSeconds = SETTLE_SECONDS, setup = () => {} }: { settleSeconds?: number; setup?: (t: TestDaemon) => void } = {}): Promise<SessionsAtRest> {
  const t = await startTestDaemon({ claude: true, childProcess: true });
  try {
    setup(t);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      ids.push(res.body.id as string);
    }
    await waitFor(async () => (await t.api('GET', '/v1/sessions?status=idle')).body.sessions.length === count, { timeoutMs: 60_000, what: 'every session idle' });
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
    return { t, ids, daemonPid: t.pid!, tmuxPid: tmuxServerPid(t.config.tmuxSocket) };
  } catch (err) {
    await t.close();
    throw err;
  }
}
