/**
 * Processes the daemon may have to end. A pid alone is not an identity (the system reuses them), so a
 * process is known by its pid and its start time, and only a process that still matches both is
 * ever signalled.
 */
import { readFileSync } from 'node:fs';

/** Whether a process exists (one we may not signal, EPERM, exists too). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, in clock ticks since boot (field 22 of /proc/<pid>/stat), or null where
 * there is no /proc or the process is gone. Two processes with one pid never share it.
 */
export function processStartTime(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; the fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether `pid` is still the process that started at `startTime` (never true when either is unknown). */
export function isSameProcess(pid: number, startTime: string | null): boolean {
  return startTime !== null && processStartTime(pid) === startTime;
}
