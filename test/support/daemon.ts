/**
 * A real Aegis daemon for tests: temporary state dir, private tmux socket, ephemeral port, and (for
 * end-to-end tests) the real Claude Code pointed at the fake model API with its own config dir.
 * `close()` stops the daemon, kills its tmux server and removes the temporary files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { configSchema, type Config } from '../../src/config/schema.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import type { SseOptions } from '../../src/http/sse.js';
import type { Timing } from '../../src/sessions/timing.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { killTmuxServer, uniqueSocket } from './tmux.js';
import { waitFor } from './wait-for.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The Claude Code under test: AEGIS_TEST_CLAUDE_BIN (a candidate version), else the pinned devDependency. */
export const CLAUDE_BIN = process.env.AEGIS_TEST_CLAUDE_BIN || join(ROOT, 'node_modules/.bin/claude');
/** The API key Claude is given in tests; the fake accepts any. */
export const API_KEY = 'sk-ant-api03-aegis-test-key-0123456789abcdefghijKLMNOP';

export interface TestDaemon {
  /** The in-process daemon (not set for a daemon running as a child process). */
  daemon: Daemon;
  /** PID of the child-process daemon (childProcess: true). */
  pid: number | null;
  /** What the in-process daemon logged, parsed (with `captureLogs`; otherwise empty). */
  logs: Array<Record<string, unknown>>;
  /** Kills a child-process daemon with SIGKILL: no shutdown of any kind. */
  kill9(): Promise<void>;
  url: string;
  /** Where the sessions' hooks call back (its own loopback listener). */
  hookUrl: string;
  config: Config;
  fake: FakeAnthropic | null;
  /** A fresh directory to use as a session's workDir. */
  workDir(name?: string): string;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  /** The same, to the hook listener. */
  hookApi<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  /** Stops the daemon only (tmux and files stay), to test a restart. */
  stop(): Promise<void>;
  /** Starts a new daemon on the same state dir and tmux socket (on the same port unless another is given; 0 picks a free one). */
  restart(options?: { port?: number }): Promise<void>;
  close(): Promise<void>;
}

export interface TestDaemonOptions {
  /** Run the real Claude Code against a fake model API (end-to-end); otherwise no Claude is needed. */
  claude?: boolean;
  config?: Partial<Config>;
  timing?: Partial<Timing>;
  sse?: Partial<SseOptions>;
  env?: NodeJS.ProcessEnv;
  /** Run the daemon as `aegis serve` in a child process (built dist/), so it can be killed outright. */
  childProcess?: boolean;
  /** Leave the API key unapproved in Claude's config, so Claude asks about it at start. */
  unapprovedKey?: boolean;
  /** Keep what the in-process daemon logs (level info and up) in `logs`. */
  captureLogs?: boolean;
  /** The in-process daemon's logger, for a test that reads what the daemon logs. */
  logger?: pino.Logger;
}

export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const root = mkdtempSync(join(tmpdir(), 'aegis-it-'));
  const socket = uniqueSocket();
  const fake = options.claude ? await startFakeAnthropic() : null;
  const claudeConfigDir = join(root, 'claude-config');
  mkdirSync(claudeConfigDir);
  writeFileSync(
    join(claudeConfigDir, '.claude.json'),
    JSON.stringify({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: options.unapprovedKey ? [] : [API_KEY.slice(-20)], rejected: [] }, projects: {} }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    CLAUDE_CONFIG_DIR: claudeConfigDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ...(fake ? { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: API_KEY } : {}),
    ...options.env,
  };
  const config = configSchema.parse({
    port: 0,
    stateDir: join(root, 'state'),
    tmuxSocket: socket,
    claudeCommand: CLAUDE_BIN,
    logLevel: 'silent',
    ...options.config,
  });
  // Written synchronously: an asynchronous destination would hook the process's exit to flush itself.
  const logs: Array<Record<string, unknown>> = [];
  const logger =
    options.logger ??
    (options.captureLogs
      ? pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) })
      : pino({ level: process.env.AEGIS_TEST_LOG ?? 'silent' }, pino.destination({ dest: 1, sync: true })));
  let child: ChildDaemon | null = null;
  const boot = async (port = current?.port ?? config.port): Promise<Daemon> => {
    if (!options.childProcess) {
      return startDaemon({
        config: { ...config, port },
        env,
        logger,
        ...(options.timing ? { timing: options.timing } : {}),
        ...(options.sse ? { sse: options.sse } : {}),
      });
    }
    // The hook port is chosen here, as the daemon would remember it, so the test knows where hooks go.
    childHookPort ??= config.hookPort ?? (await freePort());
    child = await spawnDaemon(root, { ...config, port: childPort ??= await freePort(), hookPort: childHookPort }, env);
    return { url: child.url, port: childPort, hookUrl: `http://127.0.0.1:${childHookPort}` } as Daemon;
  };
  let childPort: number | undefined;
  let childHookPort: number | undefined;
  let current: Daemon | null = null;
  try {
    current = await boot();
  } catch (err) {
    killTmuxServer(socket);
    await fake?.close();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  let workDirs = 0;

  const handle: TestDaemon = {
    get daemon() {
      return current!;
    },
    get url() {
      return current!.url;
    },
    get pid() {
      return child?.process.pid ?? null;
    },
    async kill9() {
      await child?.kill('SIGKILL');
    },
    config,
    fake,
    logs,
    workDir(name = `work-${++workDirs}`) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    get hookUrl() {
      return current!.hookUrl;
    },
    api(method, path, body, headers = {}) {
      return request(`${current!.url}${path}`, method, body, headers);
    },
    hookApi(method, path, body, headers = {}) {
      return request(`${current!.hookUrl}${path}`, method, body, headers);
    },
    async stop() {
      if (child) await child.kill('SIGTERM');
      else await current?.close();
    },
    async restart(restartOptions = {}) {
      current = await boot(restartOptions.port);
    },
    async close() {
      if (child) await child.kill('SIGKILL');
      else await current?.close().catch(() => {});
      killTmuxServer(socket);
      await fake?.close();
      // Claude processes ended by the tmux kill may still be writing their last files for a moment.
      await waitFor(() => {
        rmSync(root, { recursive: true, force: true });
        return true;
      }, { timeoutMs: 15_000, what: `${root} to be removed` });
    },
  };
  return handle;
}

/** One request, its body parsed as JSON when it is JSON. */
async function request(url: string, method: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as any, headers: res.headers };
}

interface ChildDaemon {
  process: ChildProcess;
  url: string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `aegis serve` as a child process, configured through a config file, ready once /v1/health answers. */
async function spawnDaemon(root: string, config: Config, env: NodeJS.ProcessEnv): Promise<ChildDaemon> {
  const configFile = join(root, 'aegis.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  // AEGIS_DAEMON_NODE_ARGS: flags for the daemon's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark;
  // AEGIS_DAEMON_ROOT: another checkout whose build runs instead (two builds compared in one benchmark run).
  const nodeArgs = process.env.AEGIS_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(process.env.AEGIS_DAEMON_ROOT ?? ROOT, 'bin/aegis.js'), 'serve'], {
    env: { ...env, AEGIS_CONFIG: configFile },
    stdio: ['ignore', 'ignore', process.env.AEGIS_TEST_LOG ? 'inherit' : 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${config.port}`;
  await waitFor(async () => child.exitCode === null && (await fetch(`${url}/v1/health`)).ok, { timeoutMs: 20_000, what: 'the daemon to answer' });
  return {
    process: child,
    url,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
