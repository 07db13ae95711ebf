/** A process's resident set and open file descriptors, read from /proc. */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  rssMiB: number;
  fds: number;
}

export function processMemory(pid: number): ProcessMemory {
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { rssMiB: kib / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

export const mib = (v: number) => `${v.toFixed(1)} MiB`;
