/**
 * CPU time by process, read from /proc: who pays for a running daemon. The groups are the daemon
 * process, its tmux control-mode client (`tmux -C`, a child of the daemon that relays every pane's
 * output), the tmux server of the daemon's socket, and Claude Code with everything it started (the
 * processes under the tmux server). Times are user + system, plus what each process's children that
 * ended and were reaped added (so a short-lived child is not lost); /proc counts in clock ticks.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** The resolution of every figure here, for the method text. */
export const CPU_RESOLUTION_MS = TICK_MS;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone between the listing and the read
  }
  // The command name sits in parentheses and may hold spaces or parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return { pid, ppid: Number(fields[1]), comm, cpuMs: ticks * TICK_MS };
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
}

function descendants(of: number, all: ProcStat[]): ProcStat[] {
  const found: ProcStat[] = [];
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

/** CPU ms (and command name) per process at one moment, by group. */
export type CpuSnapshot = Record<CpuGroup, Map<number, { ms: number; comm: string }>>;

/** The tmux server's pid for a socket. */
export function tmuxServerPid(socket: string): number {
  return Number(execFileSync('tmux', ['-L', socket, 'display-message', '-p', '#{pid}']).toString().trim());
}

export function cpuSnapshot(daemonPid: number, tmuxPid: number): CpuSnapshot {
  const all = allProcesses();
  const byPid = (list: ProcStat[]) => new Map(list.map((p) => [p.pid, { ms: p.cpuMs, comm: p.comm }]));
  const daemon = all.filter((p) => p.pid === daemonPid);
  const server = all.filter((p) => p.pid === tmuxPid);
  return {
    daemon: byPid(daemon),
    // tmux names its processes "tmux: client" and "tmux: server".
    controlClient: byPid(descendants(daemonPid, all).filter((p) => p.comm.startsWith('tmux') && p.pid !== tmuxPid)),
    tmuxServer: byPid(server),
    claude: byPid(descendants(tmuxPid, all)),
  };
}

/** CPU ms a group used, and its processes at the end counted by command name ("claude" → 10). */
export interface GroupCpu {
  ms: number;
  processes: Map<string, number>;
}

/**
 * CPU ms each group used between two snapshots. A process that started in between counts from zero;
 * one that ended in between and was not reaped by a process counted here is lost (none are expected
 * while a benchmark measures).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<CpuGroup, GroupCpu> {
  const result = {} as Record<CpuGroup, GroupCpu>;
  for (const group of CPU_GROUPS) {
    let ms = 0;
    const processes = new Map<string, number>();
    for (const [pid, now] of after[group]) {
      ms += now.ms - (before[group].get(pid)?.ms ?? 0);
      processes.set(now.comm, (processes.get(now.comm) ?? 0) + 1);
    }
    result[group] = { ms, processes };
  }
  return result;
}

export interface CpuWindow {
  seconds: number;
  groups: Record<CpuGroup, GroupCpu>;
  /** The benchmark's own process (the fake model API and the benchmark's clients), from process.cpuUsage(). */
  benchmarkMs: number;
}

/** CPU by group while `seconds` pass, the benchmark itself only waiting on a timer. */
export async function measureCpu(daemonPid: number, tmuxPid: number, seconds: number): Promise<CpuWindow> {
  const before = cpuSnapshot(daemonPid, tmuxPid);
  const benchmarkBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const benchmark = process.cpuUsage(benchmarkBefore);
  const after = cpuSnapshot(daemonPid, tmuxPid);
  return { seconds, groups: cpuBetween(before, after), benchmarkMs: (benchmark.user + benchmark.system) / 1000 };
}

/** The table of a CPU window: each group, Aegis's share together, and the rest for context. */
export function cpuTable(w: CpuWindow): string {
  const row = (label: string, ms: number) =>
    `| ${label} | ${Math.round((ms * 60) / w.seconds)} ms | ${((ms / (w.seconds * 1000)) * 100).toFixed(2)} % |`;
  const { daemon, controlClient, tmuxServer, claude } = w.groups;
  return `| process | CPU time per minute | of one core |
|---|---|---|
${row('Aegis daemon (`aegis serve`)', daemon.ms)}
${row(`its tmux control client (\`tmux -C\`; processes: ${names(controlClient)})`, controlClient.ms)}
${row('tmux server', tmuxServer.ms)}
${row('**daemon + control client + tmux server**', daemon.ms + controlClient.ms + tmuxServer.ms)}
${row(`Claude Code: every process under the tmux server (${names(claude)})`, claude.ms)}
${row('the benchmark process (fake model API, SSE client)', w.benchmarkMs)}`;
}

/** "10 × claude, 1 × sh": the processes of a group by command name. */
const names = (group: GroupCpu) => [...group.processes].map(([comm, n]) => `${n} × ${comm}`).join(', ') || 'none';
