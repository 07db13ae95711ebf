/**
 * Where a pane's program really started: tmux forks, changes to the window's directory and execs the
 * program, falling back to a home directory or `/` when it cannot change to the one it was given. So
 * the directory is read back from /proc once the program has replaced tmux's forked copy.
 */
import { readFileSync, readlinkSync } from 'node:fs';

export type StartedIn = { kind: 'there' } | { kind: 'elsewhere'; cwd: string } | { kind: 'gone' };

/** How often the pane's process is looked at while tmux has not yet started the program in it. */
const POLL_MS = 5;

/**
 * Waits (up to `timeoutMs`) until `pid` runs its own program rather than tmux's forked copy, then
 * says whether its working directory is `expected`. A process already gone is `gone`: it ran
 * nowhere for long, and its pane's death is reported as usual.
 */
export async function startedIn(pid: number, expected: string, timeoutMs: number): Promise<StartedIn> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cwd = link(`/proc/${pid}/cwd`);
    const exe = link(`/proc/${pid}/exe`);
    if (cwd === null || exe === null) return { kind: 'gone' };
    const parentExe = link(`/proc/${parentPid(pid)}/exe`);
    const execd = parentExe === null || exe !== parentExe;
    if (execd || Date.now() >= deadline) return cwd === expected ? { kind: 'there' } : { kind: 'elsewhere', cwd };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function link(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function parentPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}
