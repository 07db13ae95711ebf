/**
 * The package as a user gets it: `npm pack`, then the tarball installed into an empty directory
 * without dev dependencies, and run from there (`npx aegis --version`, `aegis doctor`, `aegis serve`
 * answering /v1/health). The install fetches the production dependencies through npm's cache and
 * compiles the native SQLite binding, so this file takes minutes on a loaded machine.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/daemon.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';
import { waitFor, within } from '../support/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
/** How long the install may take: it compiles better-sqlite3 (a minute alone, several with the machine busy). */
const INSTALL_TIMEOUT_MS = 12 * 60_000;
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let scratch: string;
let app: string;
let tarball: string;
/** npm and the installed program run on the Node running the tests, so the native binding fits it. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aegis-package-'));
  app = join(scratch, 'app');
  mkdirSync(app);
  env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  for (const name of Object.keys(env)) if (/^(AEGIS|MANUS)_/.test(name)) delete env[name];
  // dist/ is fresh: the suite's global setup built it. --ignore-scripts keeps `prepare` from building again.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: ROOT, env });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  tarball = join(scratch, packed!.filename);
  await run('npm', ['install', '--omit=dev', '--no-package-lock', tarball], { cwd: app, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the built program, the docs and the examples, and no sources or tests', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n').map((line) => line.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/aegis.js', 'dist/cli/main.js', 'dist/daemon.js', 'dist/dashboard/index.html', 'docs/api.md', 'aegis.config.json.example', 'systemd/aegis.service']));
    // The dashboard is built into the package: its page, and its script and stylesheet under hashed names.
    expect(files.filter((file) => /^dist\/dashboard\/assets\/main-[A-Z0-9]+\.(js|css)$/.test(file))).toHaveLength(2);
    const unexpected = files.filter((file) => !/^(package\.json|README\.md|aegis\.config\.json\.example|bin\/[^/]+\.js|dist\/.+\.js|dist\/dashboard\/index\.html|dist\/dashboard\/assets\/[^/]+\.css|docs\/[^/]+\.md|docs\/images\/[^/]+\.png|systemd\/aegis\.service)$/.test(file));
    expect(unexpected).toEqual([]);
    expect(files.filter((file) => /\.test\.|^src\/|^test\//.test(file))).toEqual([]);
  });

  it('installed without dev dependencies, prints its version through npx', async () => {
    const { stdout } = await run('npx', ['--no-install', 'aegis', '--version'], { cwd: app, env });
    expect(stdout.trim()).toBe(version);
    expect(() => readFileSync(join(app, 'node_modules/typescript/package.json'))).toThrow();
  });

  it('runs aegis doctor, which checks tmux and the state dir from there', async () => {
    const stateDir = join(scratch, 'doctor-state');
    const result: { code?: number; stdout: string; stderr: string } = await run('npx', ['--no-install', 'aegis', 'doctor'], {
      cwd: app,
      env: { ...env, AEGIS_STATE_DIR: stateDir, AEGIS_PORT: String(await freePort()), AEGIS_TMUX_SOCKET: uniqueSocket() },
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    // A check may fail on this machine (no Claude Code in the package's directory); the program ran all of them.
    expect([0, 1]).toContain(result.code ?? 0);
    expect(result.stdout).toMatch(/^ok +tmux /m);
    expect(result.stdout).toMatch(/^ok +state dir /m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('serves /v1/health with aegis serve, and stops on SIGTERM', async () => {
    const port = await freePort();
    const socket = uniqueSocket();
    const daemon = spawn(join(app, 'node_modules/.bin/aegis'), ['serve'], {
      cwd: app,
      env: { ...env, AEGIS_STATE_DIR: join(scratch, 'serve-state'), AEGIS_PORT: String(port), AEGIS_TMUX_SOCKET: socket, AEGIS_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolveExit) => daemon.once('close', resolveExit));
    try {
      const health = await waitFor(() => healthOf(port), { timeoutMs: 30_000, what: 'the installed daemon to answer /v1/health' });
      expect(health).toMatchObject({ status: 'ok', version });
      daemon.kill('SIGTERM');
      expect(await within(exited, 15_000, 'the daemon to exit on SIGTERM')).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
      killTmuxServer(socket);
    }
  });
});

/** /v1/health's answer, on a connection of its own that is not kept. */
function healthOf(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolveBody, reject) => {
    const request = get({ host: '127.0.0.1', port, path: '/v1/health', agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolveBody(JSON.parse(body) as Record<string, unknown>) : reject(new Error(`status ${response.statusCode}`))));
    });
    request.on('error', reject);
  });
}
