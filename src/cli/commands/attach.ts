/**
 * `aegis attach <id>`: for a person on the daemon's machine, opens the session's tmux window in this
 * terminal (`tmux -L <socket> attach-session -t <window>`), with the socket from the configuration the
 * daemon reads. Detaching (Ctrl-b d) leaves the session running.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { resolveSessionId } from '../session-ref.js';

/** tmux's window ids; anything else from the daemon is refused rather than handed to tmux. */
const WINDOW_ID = /^@\d+$/;

export function registerAttach(program: Command): void {
  const command = program
    .command('attach')
    .description("open a session's tmux window in this terminal (on the daemon's machine)")
    .argument('<id>', 'session id, unique id prefix or name');
  addClientOptions(command).action(attach);
}

async function attach(ref: string, flags: ClientFlags): Promise<void> {
  const client = clientFrom(flags);
  const session = await client.getSession(await resolveSessionId(client, ref));
  if (session.status === 'exited') throw new CliError(`session ${session.id} has exited; aegis pane ${session.id} shows its last screen`, ExitCode.CONFLICT);
  const windowId = session.tmux.windowId;
  if (!WINDOW_ID.test(windowId)) throw new CliError(`the daemon gave the window id ${JSON.stringify(windowId)}, which is not a tmux window id`);
  const { tmuxBin, tmuxSocket } = loadConfig().config;
  const args = ['-L', tmuxSocket, 'attach-session', '-t', windowId];
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CliError(`aegis attach needs a terminal; from one, run: ${tmuxBin} ${args.join(' ')}`, ExitCode.USAGE);
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(tmuxBin, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new CliError(`${tmuxBin} attach-session exited with ${code ?? 'a signal'}`);
}
