/**
 * CPU time by process, read from /proc: who pays for a running daemon. The groups are the daemon
 * process, its tmux control-mode client (`tmux -C`, a child of the daemon), the tmux server of the
 * daemon's socket, and Claude Code with everything it started (the processes under the tmux server).
 *
 * Two readings of a process's time are taken:
 * - per thread, the time the scheduler ran it (`/proc/<pid>/task/<tid>/schedstat`, in nanoseconds);
 *   precise, but a thread that ends inside the window takes its time with it;
 * - user + system time of the whole process (`/proc/<pid>/stat`), which keeps ended threads' time
 *   but is sampled at clock ticks: it misses most of a process that wakes only briefly (an idle daemon
 *   showed 0 ticks over 30 s while its own `process.cpuUsage()` counted 19 ms) and can count a whole
 *   tick for a moment's work.
 * A process whose threads all lived through the window is counted by its threads; one that lost a
 * thread by the larger of the two (its surviving threads are a lower bound, its ticks an estimate).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** Scheduler run time of each live thread, in ms. */
  threads: Map<number, number>;
  /** utime + stime of the whole process, in ms (clock ticks). */
  ticksMs: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // gone between the listing and the read
  }
}

function threadTimes(pid: number): Map<number, number> {
  const times = new Map<number, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    // the process is gone
  }
  for (const tid of tasks) {
    const ns = read(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ')[0];
    if (ns !== undefined) times.set(Number(tid), Number(ns) / 1e6);
  }
  return times;
}

/**
 * CPU ms a process has used so far, as its threads' scheduler run time (threads that ended are not
 * counted: for servers whose threads live as long as they do).
 */
export function threadCpuMs(pid: number): number {
  let ms = 0;
  for (const t of threadTimes(pid).values()) ms += t;
  return ms;
}

function readProcess(pid: number): ProcInfo | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name sits in parentheses and may hold spaces or parentheses: split after the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  // fields[0] is field 3 (state): ppid is field 4, utime and stime fields 14 and 15.
  const fields = stat.slice(close + 2).split(' ');
  return { pid, ppid: Number(fields[1]), comm, threads: threadTimes(pid), ticksMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
}

function allProcesses(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcInfo => p !== null);
}

function descendants(of: number, all: ProcInfo[]): ProcInfo[] {
  const found: ProcInfo[] = [];
  let parents = new Set([of]);
  while (parents.size > 0) {
    const children = all.filter((p) => parents.has(p.ppid));
    found.push(...children);
    parents = new Set(children.map((p) => p.pid));
  }
  return found;
}

export type CpuGroup = 'daemon' | 'controlClient' | 'tmuxServer' | 'claude';
export const CPU_GROUPS: readonly CpuGroup[] = ['daemon', 'controlClient', 'tmuxServer', 'claude'];

/** Each process of each group at one moment. */
export type CpuSnapshot = Record<CpuGroup, Map<number, ProcInfo>>;

/** The tmux server's pid for a socket. */
export function tmuxServerPid(socket: string): number {
  return Number(execFileSync('tmux', ['-L', socket, 'display-message', '-p', '#{pid}']).toString().trim());
}

export function cpuSnapshot(daemonPid: number, tmuxPid: number): CpuSnapshot {
  const all = allProcesses();
  const byPid = (list: ProcInfo[]) => new Map(list.map((p) => [p.pid, p]));
  return {
    daemon: byPid(all.filter((p) => p.pid === daemonPid)),
    // tmux names its processes "tmux: client" and "tmux: server".
    controlClient: byPid(descendants(daemonPid, all).filter((p) => p.comm.startsWith('tmux') && p.pid !== tmuxPid)),
    tmuxServer: byPid(all.filter((p) => p.pid === tmuxPid)),
    claude: byPid(descendants(tmuxPid, all)),
  };
}

/** CPU ms a group used, its processes at the end counted by command name ("claude" → 10), and those that ended. */
export interface GroupCpu {
  ms: number;
  processes: Map<string, number>;
  ended: number;
}

/** CPU ms a process used between two readings (see the module's header for which reading counts). */
function usedBetween(before: ProcInfo | undefined, after: ProcInfo): number {
  let threads = 0;
  for (const [tid, ms] of after.threads) threads += ms - (before?.threads.get(tid) ?? 0);
  const lostAThread = [...(before?.threads.keys() ?? [])].some((tid) => !after.threads.has(tid));
  return lostAThread ? Math.max(threads, after.ticksMs - (before?.ticksMs ?? 0)) : threads;
}

/**
 * CPU ms each group used between two snapshots. A process that started in between counts from zero;
 * one that ended in between is counted in `ended`, its time lost (none are expected while a benchmark
 * measures).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<CpuGroup, GroupCpu> {
  const result = {} as Record<CpuGroup, GroupCpu>;
  for (const group of CPU_GROUPS) {
    let ms = 0;
    const processes = new Map<string, number>();
    for (const [pid, now] of after[group]) {
      ms += usedBetween(before[group].get(pid), now);
      processes.set(now.comm, (processes.get(now.comm) ?? 0) + 1);
    }
    const ended = [...before[group].keys()].filter((pid) => !after[group].has(pid)).length;
    result[group] = { ms, processes, ended };
  }
  return result;
}

export interface CpuWindow {
  /** What the window was, for the table's header. */
  label: string;
  seconds: number;
  groups: Record<CpuGroup, GroupCpu>;
  /** The benchmark's own process (the fake model API and the benchmark's clients), from process.cpuUsage(). */
  benchmarkMs: number;
}

/** CPU by group while `seconds` pass, the benchmark itself only waiting on a timer. */
export async function measureCpu(label: string, daemonPid: number, tmuxPid: number, seconds: number): Promise<CpuWindow> {
  const before = cpuSnapshot(daemonPid, tmuxPid);
  const benchmarkBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const benchmark = process.cpuUsage(benchmarkBefore);
  const after = cpuSnapshot(daemonPid, tmuxPid);
  return { label, seconds, groups: cpuBetween(before, after), benchmarkMs: (benchmark.user + benchmark.system) / 1000 };
}

/**
 * The table of one or more CPU windows (a column each): CPU ms per minute and the share of one core
 * for each group, Aegis's part together, and the rest for context.
 */
export function cpuTable(windows: CpuWindow[]): string {
  const cell = (w: CpuWindow, ms: number) => `${Math.round((ms * 60) / w.seconds)} ms (${((ms / (w.seconds * 1000)) * 100).toFixed(2)} %)`;
  const row = (label: string, ms: (w: CpuWindow) => number) => `| ${label} | ${windows.map((w) => cell(w, ms(w))).join(' | ')} |`;
  const last = windows.at(-1)!.groups;
  const ended = windows.reduce((sum, w) => sum + CPU_GROUPS.reduce((n, g) => n + w.groups[g].ended, 0), 0);
  return `| CPU time per minute (share of one core) | ${windows.map((w) => w.label).join(' | ')} |
|---|${windows.map(() => '---|').join('')}
${row('Aegis daemon (`aegis serve`)', (w) => w.groups.daemon.ms)}
${row(`its tmux control client (\`tmux -C\`; ${names(last.controlClient)})`, (w) => w.groups.controlClient.ms)}
${row('tmux server', (w) => w.groups.tmuxServer.ms)}
${row('**daemon + control client + tmux server**', (w) => w.groups.daemon.ms + w.groups.controlClient.ms + w.groups.tmuxServer.ms)}
${row(`Claude Code: every process under the tmux server (${windows.map((w) => names(w.groups.claude)).join('; ')})`, (w) => w.groups.claude.ms)}
${row('the benchmark process (fake model API, SSE client)', (w) => w.benchmarkMs)}${ended ? `\n\n${ended} measured processes ended inside a window; their time there is not counted.` : ''}`;
}

/** "10 × claude, 1 × tail": the processes of a group by command name. */
const names = (group: GroupCpu) => [...group.processes].map(([comm, n]) => `${n} × ${comm}`).join(', ') || 'none';
