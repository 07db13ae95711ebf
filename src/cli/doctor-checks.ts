/**
 * The checks behind `aegis doctor`: can this machine run the daemon? Each check returns a verdict with
 * a detail and, when it fails, a hint saying what to do. Programs are run from argument arrays with a
 * timeout, so a hanging binary cannot hang the doctor.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { AegisClient } from '../client/client.js';
import type { Config } from '../config/schema.js';
import { claudeConfigDirOf, lookUpUser, ROOT_WITHOUT_SESSION_USER, type UnixUser } from '../config/session-user.js';
import { sqliteVersion } from '../store/database.js';
import type { Check } from './check.js';
import { shellQuote } from './shell-quote.js';

export type { Check } from './check.js';

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

/**
 * The SQLite binding the store needs loads in this Node. One built for another Node (an install run
 * under another version, or npm's `nodedir` naming another Node's headers) stops every start.
 */
export function checkSqlite(version: () => string = sqliteVersion): Check {
  const name = 'sqlite';
  try {
    return { name, ok: true, detail: `SQLite ${version()} loads in Node ${process.version}` };
  } catch (err) {
    const aegisDir = resolve(import.meta.dirname, '..', '..');
    const nodePrefix = dirname(dirname(process.execPath));
    // The headers of the Node that runs this, so the rebuild never takes another Node's from npm's nodedir.
    const nodedir = existsSync(join(nodePrefix, 'include', 'node', 'node.h')) ? `npm_config_nodedir=${shellQuote(nodePrefix)} ` : '';
    return {
      name,
      ok: false,
      detail: `the SQLite binding (better-sqlite3) does not load in Node ${process.version}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`,
      hint: 'rebuild it for the Node that runs Aegis: npm rebuild better-sqlite3, in the Aegis directory, with that Node first on the PATH',
      fix: `cd ${shellQuote(aegisDir)} && PATH=${shellQuote(dirname(process.execPath))}:"$PATH" ${nodedir}npm rebuild better-sqlite3`,
    };
  }
}

/** The state dir is writable and private, or can be made where it is named. Creates nothing: the daemon does at start. */
export function checkStateDir(stateDir: string): Check {
  const name = 'state dir';
  const hint = 'fix its permissions, or set AEGIS_STATE_DIR (or --state-dir) to a directory you own';
  const stat = statOf(stateDir);
  if (!stat) {
    const parent = nearestExisting(stateDir);
    if (parent && statOf(parent)?.isDirectory() && writable(parent)) return { name, ok: true, detail: `${stateDir} does not exist yet: the daemon makes it (mode 0700) when it starts` };
    return { name, ok: false, detail: `${stateDir} does not exist and cannot be made: ${parent ?? '/'} is not a writable directory`, hint };
  }
  if (!stat.isDirectory()) return { name, ok: false, detail: `${stateDir} is not a directory`, hint };
  if (!writable(stateDir)) return { name, ok: false, detail: `${stateDir} is not writable`, hint };
  const mode = stat.mode & 0o777;
  if (mode & 0o077) {
    return { name, ok: false, detail: `${stateDir} is writable, but its mode ${mode.toString(8).padStart(4, '0')} lets other users in`, hint: `chmod 700 ${stateDir} (the daemon does so itself when it starts)`, fix: `chmod 700 ${shellQuote(stateDir)}` };
  }
  return { name, ok: true, detail: `${stateDir} is writable` };
}

/** `path` itself or its closest ancestor that exists. */
function nearestExisting(path: string): string | null {
  for (let dir = path; ; dir = dirname(dir)) {
    if (statOf(dir)) return dir;
    if (dirname(dir) === dir) return null;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sessions out of the daemon's reach: with `sessionUser`, the user exists and is not root, the daemon
 * runs as root and has setpriv, and that user can run the Claude command and write the allowed work
 * dirs but reach neither the state dir nor the tmux socket. Without it, a root daemon is warned about.
 */
export async function checkSessionUser(config: Pick<Config, 'sessionUser' | 'stateDir' | 'allowedWorkdirs'> & Partial<Pick<Config, 'claudeCommand'>>, uid = process.getuid?.()): Promise<Check> {
  const name = 'session user';
  if (!config.sessionUser) {
    if (uid === 0) return { name, ok: true, warn: true, detail: ROOT_WITHOUT_SESSION_USER, hint: 'create an unprivileged user and set AEGIS_SESSION_USER to it' };
    return { name, ok: true, detail: `none: Claude runs as the daemon's user (uid ${uid ?? 'unknown'})` };
  }
  const user = lookUpUser(config.sessionUser);
  const setup = 'see "Sessions as another user" in docs/operations.md';
  if (!user) return { name, ok: false, detail: `${config.sessionUser} is not a user of this system`, hint: `useradd --create-home ${config.sessionUser}; ${setup}` };
  const problems: string[] = [];
  if (user.uid === 0) problems.push(`${user.name} is root`);
  if (uid !== 0) problems.push('the daemon must run as root to start Claude as another user');
  let setpriv = true;
  try {
    await run('setpriv', ['--version']);
  } catch (err) {
    setpriv = false;
    problems.push(`setpriv (util-linux) cannot run: ${(err as Error).message}`);
  }
  if (setpriv && uid === 0 && config.claudeCommand !== undefined) {
    const problem = await claudeOutOfReach(config.claudeCommand, user);
    if (problem) problems.push(problem);
  }
  const home = statOf(user.home);
  if (!home?.isDirectory() || home.uid !== user.uid) problems.push(`its home ${user.home} is missing or not its own (Claude keeps its config in ${claudeConfigDirOf(user)})`);
  if (reachable(config.stateDir, user)) problems.push(`it can reach the state dir ${config.stateDir} (chmod 700, owned by the daemon's user)`);
  const socketDir = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid ?? 0}`);
  if (reachable(socketDir, user)) problems.push(`it can reach the tmux socket dir ${socketDir}`);
  const notWritable = config.allowedWorkdirs.filter((dir) => !writableBy(dir, user));
  if (notWritable.length) problems.push(`it cannot write the allowed work dirs ${notWritable.join(', ')} (chown them to it)`);
  if (problems.length) return { name, ok: false, detail: `${user.name} (uid ${user.uid}): ${problems.join('; ')}`, hint: setup };
  const workDirs = config.allowedWorkdirs.length ? `writes ${config.allowedWorkdirs.join(', ')}` : 'no allowedWorkdirs: it writes only the work dirs it owns';
  return { name, ok: true, detail: `${user.name} (uid ${user.uid}, home ${user.home}): ${workDirs}; state dir and tmux socket out of its reach` };
}

/**
 * Why `user` cannot run the Claude command, or null when it can: asked as that user (setpriv, as
 * sessions are started), since every directory above the program must let it through. Claude
 * installed in a project under a private directory (/root, a mode-700 checkout) is out of its reach,
 * and each session would end as soon as it started.
 */
async function claudeOutOfReach(claudeCommand: string, user: UnixUser): Promise<string | null> {
  const program = claudeCommand.includes('/') ? resolve(claudeCommand) : onPath(claudeCommand);
  if (program === null) return null; // not found at all: the claude check says so
  try {
    await run('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', 'test', '-x', program]);
    return null;
  } catch {
    return `it cannot run the Claude command ${program} (each directory above it must be searchable by the user: install Claude Code where it can reach it, e.g. npm install -g, or set AEGIS_CLAUDE_COMMAND)`;
  }
}

/** Where a command name is found on this process's PATH, or null. */
function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Whether `user` may enter `dir` (a missing dir is out of reach). */
function reachable(dir: string, user: UnixUser): boolean {
  const stat = statOf(dir);
  if (!stat) return false;
  if (stat.uid === user.uid) return true;
  return Boolean(stat.gid === user.gid ? stat.mode & 0o010 : stat.mode & 0o001);
}

function writableBy(dir: string, user: UnixUser): boolean {
  const stat = statOf(dir);
  if (!stat?.isDirectory()) return false;
  if (stat.uid === user.uid) return Boolean(stat.mode & 0o200);
  return Boolean(stat.gid === user.gid ? stat.mode & 0o020 : stat.mode & 0o002);
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
