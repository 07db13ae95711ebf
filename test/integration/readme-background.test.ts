/**
 * The README's way to run the daemon in the background, run as written: a shell starts it with `&`,
 * and SIGTERM to `$!` must stop the daemon itself, freeing the port and the state dir. (Through `npx`,
 * `$!` is npm, which dies alone and leaves the daemon running.)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/process-alive.js';
import { freePort } from '../support/daemon.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';
import { waitFor, within } from '../support/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The README line that backgrounds the daemon and keeps `$!` in a variable, without its comment. */
function documentedBackgroundStart(): { command: string; variable: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  for (const line of shellBlocks.join('\n').split('\n')) {
    const match = /^(.*?)\s*&\s*([A-Za-z_]\w*)=\$!/.exec(line);
    if (match) return { command: match[1]!, variable: match[2]! };
  }
  throw new Error('README.md shows no shell line that starts the daemon in the background (`… & name=$!`)');
}

/** The HTTP status of /v1/health, or the connection error; a fresh connection each time, none kept. */
function health(port: number): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const request = get({ host: '127.0.0.1', port, path: '/v1/health', agent: false }, (response) => {
      response.resume();
      resolveStatus(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

it('stops the daemon started the README way when $! gets SIGTERM, freeing the port and the state dir', async () => {
  const { command, variable } = documentedBackgroundStart();
  const dir = mkdtempSync(join(tmpdir(), 'aegis-readme-bg-'));
  const socket = uniqueSocket();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => killTmuxServer(socket));
  const stateDir = join(dir, 'state');
  const config = join(dir, 'aegis.config.json');
  writeFileSync(config, '{}\n');
  const port = await freePort();
  const jobPidFile = join(dir, 'job.pid');

  // The documented line as a script runs it (no job control), then the shell waits for that job.
  const script = `${command} & ${variable}=$!\nprintf '%s\\n' "$${variable}" > "$JOB_PID_FILE"\nwait "$${variable}"\n`;
  const shell = spawn('bash', ['-c', script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', JOB_PID_FILE: jobPidFile,
      AEGIS_CONFIG: config, AEGIS_STATE_DIR: stateDir, AEGIS_PORT: String(port), AEGIS_TMUX_SOCKET: socket, AEGIS_LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  const shellExited = new Promise<number | null>((resolveExit) => shell.once('close', resolveExit));
  cleanups.push(() => shell.kill('SIGKILL'));

  await waitFor(async () => (await health(port)) === 200, { timeoutMs: 30_000, what: 'the daemon to answer /v1/health' });
  const jobPid = Number(readFileSync(jobPidFile, 'utf8'));
  const daemonPid = Number(readFileSync(join(stateDir, 'aegis.pid'), 'utf8'));
  // Whatever happens below, the daemon this test started does not outlive it.
  cleanups.push(() => {
    if (isProcessAlive(daemonPid)) process.kill(daemonPid, 'SIGKILL');
  });

  process.kill(jobPid, 'SIGTERM');
  await within(shellExited, 15_000, 'the shell to see its background job end');
  await waitFor(() => !isProcessAlive(daemonPid), { timeoutMs: 15_000, what: `the daemon (pid ${daemonPid}) to exit` });
  await expect(health(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  expect(existsSync(join(stateDir, 'aegis.pid')), 'the lock holder pid file, removed when the lock is released').toBe(false);
}, 90_000);
