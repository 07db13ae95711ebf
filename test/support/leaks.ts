/**
 * What a test file can leave behind in its worker: timers, handles (servers, sockets, pipes, child
 * processes, file watchers), process listeners, child processes and tmux servers of this test run.
 * `takeSnapshot()` records what exists; `settledLeaks(before, graceMs)` names what exists now and did
 * not then, once what closes asynchronously had time to close.
 *
 * Handles come from process.getActiveResourcesInfo(), which lists only what keeps the event loop
 * alive, so timers are tracked where they are made instead: setTimeout and setInterval (global and
 * node:timers) are wrapped to remember each timer with where it was created, ref'd or not.
 */
import { ChildProcess, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, sep } from 'node:path';
import timers from 'node:timers';
import { killTmuxServer, TEST_RUN, tmuxServerAlive } from './tmux.js';

const ROOT = join(import.meta.dirname, '..', '..') + sep;

// ─── Timers ──────────────────────────────────────────────────────────────────────────────────────

interface TrackedTimer {
  kind: 'setTimeout' | 'setInterval';
  ms: number;
  origin: string;
}

/**
 * The timers made since tracking began, kept on the global object: a second evaluation of this module
 * in the same process (files run without isolation) shares them instead of wrapping the wrappers.
 */
const TRACKED = Symbol.for('aegis.leak-check.timers');
const state = globalThis as typeof globalThis & { [TRACKED]?: Map<NodeJS.Timeout, TrackedTimer> };
let installed = state[TRACKED] !== undefined;
const tracked = (state[TRACKED] ??= new Map<NodeJS.Timeout, TrackedTimer>());
let created = 0;

/** For the check's own waiting (a timer it makes is none of the file's), immune to fake timers left installed. */
const originalSetTimeout = globalThis.setTimeout;
function untrackedDelay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = originalSetTimeout(resolve, ms);
    tracked.delete(timer);
  });
}

const isPending = (timer: NodeJS.Timeout) => !(timer as unknown as { _destroyed?: boolean })._destroyed;

/** The frames of the current stack that belong to the project, outside this file: where a thing was made. */
function origin(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1).map((line) => line.trim().replace(/^at /, ''));
  const callers = frames.filter((f) => !f.includes(`${ROOT}test/support/leaks.`));
  const ours = callers.filter((f) => f.includes(ROOT) && !f.includes('/node_modules/'));
  return (ours.length > 0 ? ours : callers).slice(0, 3).map((f) => f.replace(ROOT, '')).join(' ← ');
}

function tracking<F extends typeof setTimeout | typeof setInterval>(original: F, kind: TrackedTimer['kind']): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>) {
    const timer = (original as (...a: unknown[]) => NodeJS.Timeout).apply(this, args);
    tracked.set(timer, { kind, ms: Math.max(1, Number(args[1]) || 1), origin: origin() });
    // Forget finished timers now and then, so a long file does not pile them up.
    if (++created % 1000 === 0) for (const t of tracked.keys()) if (!isPending(t)) tracked.delete(t);
    return timer;
  };
  // Keeps what hangs off the original, such as util.promisify.custom.
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
  return wrapped as unknown as F;
}

/** Starts tracking the timers this process makes from now on. */
export function trackTimers(): void {
  if (installed) return;
  installed = true;
  globalThis.setTimeout = tracking(globalThis.setTimeout, 'setTimeout');
  globalThis.setInterval = tracking(globalThis.setInterval, 'setInterval');
  timers.setTimeout = globalThis.setTimeout;
  timers.setInterval = globalThis.setInterval;
  // `import { setTimeout } from 'node:timers'` sees the tracked ones too.
  syncBuiltinESMExports();
}

// ─── Snapshots ───────────────────────────────────────────────────────────────────────────────────

/** Process events whose listeners a test may add and must remove. */
const PROCESS_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'] as const;

/** Resources that are operations under way rather than things left open, and timers (tracked above). */
const NOT_HANDLES = /Req|Request|^(Write|Shutdown)Wrap$|^Immediate$|^Timeout$/;

type Listener = (...args: unknown[]) => unknown;

export interface Snapshot {
  handles: Map<string, number>;
  handleObjects: Set<object>;
  timers: Set<NodeJS.Timeout>;
  listeners: Map<string, Listener[]>;
  children: Set<number>;
  tmuxServers: Set<string>;
}

/** One event's listeners (process.listeners has an overload per event; they all return functions). */
const listenersOf = (event: string) => process.listeners(event as 'exit') as Listener[];

function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (!NOT_HANDLES.test(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** The objects behind the ref'd handles (undocumented, so only used to describe what leaked). */
function handleObjects(): object[] {
  const getter = (process as unknown as { _getActiveHandles?: () => object[] })._getActiveHandles;
  return typeof getter === 'function' ? getter.call(process) : [];
}

/** Pids of this process's living children, with their command lines. */
function children(): Map<number, string> {
  let pids: number[];
  try {
    pids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return new Map(); // no /proc: handles still show ref'd child processes
  }
  const found = new Map<number, string>();
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (status === 'Z') continue; // exited; its parent just has not collected it yet
      found.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '));
    } catch {
      // gone since the list was read
    }
  }
  return found;
}

const TMUX_DIR = join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`);

/** This worker's tmux servers that are running: sockets named by uniqueSocket() in this process. */
function tmuxServers(): Set<string> {
  const mine = `-${TEST_RUN}-${process.pid}-`;
  try {
    return new Set(readdirSync(TMUX_DIR).filter((name) => name.startsWith('aegis-') && name.includes(mine) && tmuxServerAlive(name)));
  } catch {
    return new Set();
  }
}

export function takeSnapshot(): Snapshot {
  return {
    handles: handleCounts(),
    handleObjects: new Set(handleObjects()),
    timers: new Set([...tracked.keys()].filter(isPending)),
    listeners: new Map(PROCESS_EVENTS.map((event) => [event, listenersOf(event)])),
    children: new Set(children().keys()),
    tmuxServers: tmuxServers(),
  };
}

// ─── Leaks ───────────────────────────────────────────────────────────────────────────────────────

export interface Leak {
  /** One line naming the resource and, where it can be told, where it came from. */
  description: string;
  /** Ends the resource, where that can be done from outside. */
  cleanUp?: () => void;
}

function describeHandle(handle: object): string {
  const h = handle as Record<string, unknown> & { constructor?: { name?: string } };
  const name = h.constructor?.name ?? 'handle';
  if (handle instanceof ChildProcess) return `child process ${handle.pid} (${handle.spawnargs.join(' ')})`;
  if (typeof h.address === 'function' && typeof h.listen === 'function') {
    const address = (h.address as () => unknown).call(handle);
    return `server listening on ${typeof address === 'object' && address ? JSON.stringify(address) : String(address)}`;
  }
  if (typeof h.remotePort === 'number') return `socket ${String(h.localAddress)}:${String(h.localPort)} → ${String(h.remoteAddress)}:${h.remotePort}`;
  if (name === 'Socket' || name === 'Pipe') return 'pipe (a child process\'s stdio or an IPC channel)';
  return name;
}

/** Descriptions with repeats folded: ["a", "a", "b"] → ["2 × a", "b"]. */
function counted(descriptions: string[]): string[] {
  const counts = new Map<string, number>();
  for (const d of descriptions) counts.set(d, (counts.get(d) ?? 0) + 1);
  return [...counts].map(([d, n]) => (n > 1 ? `${n} × ${d}` : d));
}

function describeListener(event: string, listener: Listener): string {
  const source = listener.toString().replace(/\s+/g, ' ');
  return `process '${event}' listener ${listener.name || '(anonymous)'}: ${source.length > 100 ? `${source.slice(0, 100)}…` : source}`;
}

/** What exists now and did not at `before`. */
function findLeaks(before: Snapshot): Leak[] {
  const leaks: Leak[] = [];

  for (const timer of tracked.keys()) {
    if (before.timers.has(timer) || !isPending(timer)) continue;
    const { kind, ms, origin } = tracked.get(timer)!;
    leaks.push({
      description: `${kind}(…, ${ms} ms)${timer.hasRef() ? '' : ' (unref\'d)'} created at ${origin}`,
      cleanUp: () => clearTimeout(timer),
    });
  }

  const newObjects = handleObjects().filter((h) => !before.handleObjects.has(h));
  const extra = [...handleCounts()].map(([type, count]) => [type, count - (before.handles.get(type) ?? 0)] as const).filter(([, n]) => n > 0);
  if (extra.length > 0) {
    const details = counted(newObjects.map(describeHandle));
    leaks.push({
      description: `open handles: ${extra.map(([type, n]) => `${n} × ${type}`).join(', ')}${details.length ? ` — ${details.join('; ')}` : ''}`,
      // Servers and sockets belong to whoever opened them; a child process can be ended from here.
      cleanUp: () => {
        for (const h of newObjects) if (h instanceof ChildProcess) h.kill('SIGKILL');
      },
    });
  }
  // A child that holds a handle is named above already.
  const childHandles = new Set(newObjects.map((h) => h instanceof ChildProcess && h.pid));

  for (const [event, listeners] of before.listeners) {
    for (const listener of listenersOf(event)) {
      if (listeners.includes(listener)) continue;
      leaks.push({ description: describeListener(event, listener), cleanUp: () => process.removeListener(event, listener) });
    }
  }

  for (const [pid, command] of children()) {
    if (before.children.has(pid) || childHandles.has(pid)) continue;
    leaks.push({
      description: `child process ${pid} still running: ${command}`,
      cleanUp: () => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
    });
  }

  for (const socket of tmuxServers()) {
    if (before.tmuxServers.has(socket)) continue;
    leaks.push({ description: `tmux server ${socket} still running (${listWindows(socket)})`, cleanUp: () => killTmuxServer(socket) });
  }

  return leaks;
}

function listWindows(socket: string): string {
  try {
    const windows = execFileSync('tmux', ['-L', socket, 'list-windows', '-a', '-F', '#{session_name}:#{window_name}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return `windows: ${windows.trim().split('\n').join(', ')}`;
  } catch {
    return 'no windows';
  }
}

/**
 * The leaks that are still there once things that close asynchronously (a socket's close, a killed
 * child's exit, a short timer) had up to `graceMs` to finish; returns as soon as none are left.
 */
export async function settledLeaks(before: Snapshot, graceMs: number): Promise<Leak[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const leaks = findLeaks(before);
    if (leaks.length === 0 || Date.now() >= deadline) return leaks;
    await untrackedDelay(50);
  }
}
