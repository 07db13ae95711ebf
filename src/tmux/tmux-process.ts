/**
 * A tmux process of its own, for what cannot go over the control connection: starting the server,
 * probing whether it runs, asking the version, and the control connection's own `attach-session`.
 * Every such process gets the same environment, which never holds the daemon's own settings (the tmux
 * server is started by one of them and keeps its environment for every window), and the same time
 * limit; every failure is a TmuxError.
 */
import { execa } from 'execa';
import { commandArgv, type TmuxCommand } from './command.js';
import { TmuxError } from './tmux-error.js';

/** Variables of the daemon's own configuration, never handed to tmux or a window. */
export const PRIVATE_ENV = /^(AEGIS|MANUS)_/;

export interface TmuxProcessOptions {
  tmuxBin: string;
  socket: string;
  /** The daemon's environment; its private variables are left out. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** The environment every tmux process (and so the tmux server) starts with. */
export function tmuxEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => value !== undefined && !PRIVATE_ENV.test(name)));
}

/** The arguments of a tmux process that runs `command` on our server, with tmux's own flags (`-C`, `-f`) before it. */
export function tmuxProcessArgv(socket: string, command: TmuxCommand, globalFlags: readonly string[] = []): string[] {
  return ['-L', socket, ...globalFlags, ...commandArgv(command)];
}

/** Runs one command in a tmux process; resolves with its output, throws TmuxError. */
export async function runTmuxProcess(options: TmuxProcessOptions, command: TmuxCommand, globalFlags: readonly string[] = []): Promise<string> {
  return spawnTmux(options, command.subcommand, tmuxProcessArgv(options.socket, command, globalFlags));
}

/** tmux's version string, e.g. "3.3a". */
export async function tmuxVersion(options: TmuxProcessOptions): Promise<string> {
  const output = await spawnTmux(options, '-V', ['-V']);
  return output.replace(/^tmux\s+/, '').trim();
}

async function spawnTmux(options: TmuxProcessOptions, what: string, argv: string[]): Promise<string> {
  const result = await execa(options.tmuxBin, argv, {
    env: tmuxEnv(options.env),
    extendEnv: false,
    timeout: options.timeoutMs,
    reject: false,
    stdin: 'ignore',
  });
  if (result.timedOut) throw new TmuxError(what, 'unavailable', `no answer within ${options.timeoutMs} ms`);
  if (result.exitCode === undefined) {
    // It never ran (missing, not executable) or was killed.
    throw new TmuxError(what, 'unavailable', `cannot run ${options.tmuxBin}: ${result.originalMessage || result.shortMessage}`);
  }
  if (result.exitCode !== 0) throw TmuxError.fromOutput(what, String(result.stderr || result.stdout || `exit status ${result.exitCode}`));
  return String(result.stdout);
}
