/**
 * `aegis serve` (also plain `aegis`): runs the daemon in the foreground until SIGTERM or SIGINT, then
 * closes it once and returns, so the process exits 0. Configuration comes from loadConfig (env,
 * aegis.config.json) with the command-line options on top. The daemon's modules are loaded only here,
 * which keeps every other command quick to start.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { integer } from '../arguments.js';

interface ServeFlags {
  port?: number;
  host?: string;
  stateDir?: string;
  killSessionsOnExit?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('run the daemon in the foreground (the default when no command is given)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (overrides AEGIS_PORT, default 9100)', integer(0, 65535))
    .option('--host <host>', 'address to bind (overrides AEGIS_HOST, default 127.0.0.1)')
    .option('--state-dir <dir>', 'where the database and session files live (overrides AEGIS_STATE_DIR, default ~/.aegis)')
    .option('--kill-sessions-on-exit', 'end every session when the daemon stops (by default they keep running and are re-adopted on the next start)')
    .action(serve);
}

async function serve(flags: ServeFlags): Promise<void> {
  // Listen for signals before starting, so a Ctrl-C during startup still closes what was opened.
  // Resolving a promise twice is a no-op: a second signal cannot start a second close.
  let requestStop: () => void = () => {};
  const stopRequested = new Promise<void>((resolveStop) => {
    requestStop = resolveStop;
  });
  const onSignal = () => requestStop();
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    const { loadConfig } = await import('../../config/load.js');
    const { startDaemon } = await import('../../daemon.js');
    const { config } = loadConfig({
      overrides: { port: flags.port, host: flags.host, stateDir: flags.stateDir === undefined ? undefined : resolve(flags.stateDir) },
    });

    const daemon = await startDaemon({ config });
    await stopRequested;
    await daemon.close({ killSessions: flags.killSessionsOnExit === true });
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
