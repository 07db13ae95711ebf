/**
 * The checks behind `aegis doctor`: can this machine run the daemon? Each check returns a verdict with
 * a detail and, when it fails, a hint saying what to do. Programs are run from argument arrays with a
 * timeout, so a hanging binary cannot hang the doctor.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AegisClient } from '../client/client.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

export const MIN_TMUX = { major: 3, minor: 2 } as const;
const RUN_TIMEOUT_MS = 20_000;
const HEALTH_TIMEOUT_MS = 3000;

/** tmux runs and is new enough; the detail names the socket the daemon uses and how to watch it. */
export async function checkTmux(tmuxBin: string, socket: string): Promise<Check> {
  const name = 'tmux';
  const hint = `install tmux ${MIN_TMUX.major}.${MIN_TMUX.minor} or newer (e.g. apt install tmux), or point AEGIS_TMUX_BIN at it`;
  let output: string;
  try {
    output = await run(tmuxBin, ['-V']);
  } catch (err) {
    return { name, ok: false, detail: `\`${tmuxBin} -V\` failed: ${(err as Error).message}`, hint };
  }
  const version = parseTmuxVersion(output);
  if (!version) return { name, ok: false, detail: `cannot read a version from "${output}"`, hint };
  const ok = version.major > MIN_TMUX.major || (version.major === MIN_TMUX.major && version.minor >= MIN_TMUX.minor);
  if (!ok) return { name, ok, detail: `${output} is older than ${MIN_TMUX.major}.${MIN_TMUX.minor}`, hint };
  return { name, ok, detail: `${output}, socket ${socket} (watch the sessions with: ${tmuxBin} -L ${socket} attach)` };
}

/** "tmux 3.3a" → 3.3; "tmux next-3.5" → 3.5; "tmux master" → null. */
export function parseTmuxVersion(output: string): { major: number; minor: number } | null {
  const match = /(\d+)\.(\d+)/.exec(output);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : null;
}

export async function checkClaude(claudeCommand: string): Promise<Check> {
  const name = 'claude';
  try {
    const output = await run(claudeCommand, ['--version']);
    return { name, ok: true, detail: `${claudeCommand} ${output}`.trim() };
  } catch (err) {
    return {
      name,
      ok: false,
      detail: `\`${claudeCommand} --version\` failed: ${(err as Error).message}`,
      hint: 'install Claude Code (npm install -g @anthropic-ai/claude-code) or set AEGIS_CLAUDE_COMMAND to its path',
    };
  }
}

export function checkStateDir(stateDir: string): Check {
  const name = 'state dir';
  const probe = join(stateDir, `.doctor-probe-${process.pid}`);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(probe, 'probe');
    rmSync(probe, { force: true });
    const mode = statSync(stateDir).mode & 0o777;
    if (mode & 0o077) {
      return { name, ok: false, detail: `${stateDir} is writable, but its mode ${mode.toString(8).padStart(4, '0')} lets other users in`, hint: `chmod 700 ${stateDir} (the daemon does so itself when it starts)` };
    }
    return { name, ok: true, detail: `${stateDir} is writable` };
  } catch (err) {
    return { name, ok: false, detail: `${stateDir} is not writable: ${(err as Error).message}`, hint: 'fix its permissions, or set AEGIS_STATE_DIR (or --state-dir) to a directory you own' };
  }
}

/** The port must be free for a new daemon, unless an Aegis daemon already answers at --url. */
export async function checkPort(host: string, port: number, client: AegisClient): Promise<Check> {
  const name = 'port';
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const problem = await tryListen(host, port);
  if (problem === null) return { name, ok: true, detail: port === 0 ? `${host}: the daemon will pick a free port` : `${address} is free` };
  try {
    const health = await client.health(AbortSignal.timeout(HEALTH_TIMEOUT_MS));
    return { name, ok: true, detail: `an Aegis daemon ${health.version} already answers at ${client.baseUrl} (status ${health.status})` };
  } catch {
    // nothing, or not Aegis, answers at --url: report the port problem itself
  }
  const hint =
    problem === 'EADDRINUSE'
      ? 'another program uses the port: stop it, or set AEGIS_PORT (or --port); if it is an Aegis daemon, point --url at it'
      : `choose another address or port with AEGIS_HOST / AEGIS_PORT`;
  return { name, ok: false, detail: `cannot listen on ${address}: ${problem}`, hint };
}

function tryListen(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** Runs a program and returns its first line of output; a failure says why in one line. */
function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: RUN_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(firstLine(stdout) || firstLine(stderr));
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new Error('not found'));
      if (err.killed) return reject(new Error(`no answer within ${RUN_TIMEOUT_MS / 1000}s`));
      reject(new Error(firstLine(stderr) || firstLine(stdout) || err.message));
    });
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
