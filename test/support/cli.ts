/**
 * The built `aegis` program (bin/aegis.js, running dist/) as a child process, with a clean environment
 * (no AEGIS_* from the caller) and stdin closed after `input`. Every run still going is killed by
 * `killClis()`, which a test file calls after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'aegis.js');
const running = new Set<ChildProcess>();

export interface CliRun {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
}

export function startCli(args: string[], options: CliOptions = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...options.env },
    stdio: 'pipe',
  });
  running.add(child);
  const run: CliRun = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolveExit) => child.once('close', (code) => {
      running.delete(child);
      resolveExit(code);
    })),
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  child.stdin!.end(options.input ?? '');
  return run;
}

/** Runs the program to its end. */
export async function cli(args: string[], options: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, options);
  const code = await run.exited;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

export function killClis(): void {
  for (const child of running) child.kill('SIGKILL');
}
