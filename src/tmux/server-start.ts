/**
 * Starting Aegis's tmux server and knowing whether it runs. The server is started by a tmux process
 * whose environment holds none of the daemon's own variables, because the server keeps that
 * environment for every window; its placeholder window carries the starting daemon's identity. A
 * probe says "gone" only when tmux shows it; anything unclear is a TmuxError, never "gone".
 */
import { format, tmuxCommand, type TmuxCommand } from './command.js';
import type { TmuxControlClient } from './control-client.js';
import { ACTIVITY_SUBSCRIPTION } from './output-demand.js';
import { showsServerOrSessionGone, TmuxError } from './tmux-error.js';
import { PRIVATE_ENV, runTmuxProcess, type TmuxProcessOptions } from './tmux-process.js';

/** Window options: the Aegis session a window runs, the daemon that opened it, the placeholder. */
export const OWNER_OPTION = '@aegis-session';
export const DAEMON_OPTION = '@aegis-daemon';
export const KEEPER_OPTION = '@aegis-keeper';
export const DEATH_SUBSCRIPTION = 'aegis-pane-dead';

export interface ServerStartOptions extends TmuxProcessOptions {
  session: string;
  cols: number;
  rows: number;
  identity: string;
}

const START_ATTEMPTS = 3;
/** The placeholder window that keeps the tmux session alive while no Aegis session runs. */
const KEEPER_ARGV = ['sh', '-c', 'printf "Aegis tmux server: one window per session (C-b w lists them)\\n"; exec tail -f /dev/null'];

/**
 * Whether the tmux server runs and holds our tmux session. Only an answer that shows them gone is
 * false; a probe that fails any other way (no answer, tmux cannot run, an unexpected message) proves
 * nothing and throws a TmuxError (`unavailable`).
 */
export async function sessionExists(options: ServerStartOptions): Promise<boolean> {
  try {
    await runTmuxProcess(options, tmuxCommand('has-session', ['-t', `=${options.session}`]));
    return true;
  } catch (err) {
    if (!(err instanceof TmuxError)) throw err;
    if (showsServerOrSessionGone(err)) return false;
    throw new TmuxError('has-session', 'unavailable', `cannot tell whether the tmux server runs: ${err.detail}`);
  }
}

/** Starts the server with our tmux session when it is missing. */
export async function ensureSession(options: ServerStartOptions): Promise<void> {
  const { session, cols, rows } = options;
  if (await sessionExists(options)) return;
  const start = tmuxCommand('new-session', ['-d', '-s', session, '-n', 'aegis', '-x', String(cols), '-y', String(rows)], KEEPER_ARGV);
  // Right after a server was killed its socket can still answer for a moment ("server exited
  // unexpectedly"), so a failed start is tried again, a bounded number of times.
  let failure: TmuxError | null = null;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    try {
      // No config file: the user's ~/.tmux.conf must not change how Aegis's panes behave.
      await runTmuxProcess(options, start, ['-f', '/dev/null']);
      failure = null;
      break;
    } catch (err) {
      if (!(err instanceof TmuxError)) throw err;
      // Another process may have created it in the meantime: that is as good.
      if (await sessionExists(options)) return;
      failure = err;
    }
  }
  if (failure) throw new TmuxError('new-session', 'unavailable', `cannot start tmux: ${failure.detail}`);
  const keeper = `=${session}:^`;
  const mark = (command: TmuxCommand) => runTmuxProcess(options, command);
  await mark(tmuxCommand('set-option', ['-w', '-t', keeper], [KEEPER_OPTION, '1']));
  await mark(tmuxCommand('set-option', ['-w', '-t', keeper], [DAEMON_OPTION, options.identity]));
}

/** What every new control connection sets up before it is used. */
export async function setUpConnection(client: TmuxControlClient): Promise<void> {
  // A dead pane stays on screen so its exit status and last output can be read.
  await client.run(tmuxCommand('set-option', ['-wg'], ['remain-on-exit', 'on']));
  // Pane death produces no output; a format subscription reports it (tmux checks about once a second).
  await client.run(tmuxCommand('refresh-client', ['-B', format`${DEATH_SUBSCRIPTION}:%*:#{pane_dead} #{pane_dead_status}`]));
  // A pane whose bytes nobody wants is paused; this says, about once a second, that it printed.
  await client.run(tmuxCommand('refresh-client', ['-B', format`${ACTIVITY_SUBSCRIPTION}:%*:#{window_activity}`]));
  // Let tmux pause a pane rather than buffer without limit if Aegis ever falls behind.
  await client.run(tmuxCommand('refresh-client', ['-f', 'pause-after=30']));
  // A server started by someone else (or an older Aegis) may hold the starter's variables in its
  // global environment, which every window inherits; Aegis's own settings are not for windows.
  for (const line of await client.run(tmuxCommand('show-environment', ['-g']))) {
    const name = line.replace(/^-/, '').split('=')[0] ?? '';
    if (PRIVATE_ENV.test(name)) await client.run(tmuxCommand('set-environment', ['-g', '-u'], [name]));
  }
}
