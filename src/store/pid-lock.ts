/**
 * One daemon per state dir: a PID file created exclusively. A file left by a dead process is taken
 * over; one held by a live process stops startup with a message naming it.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { isProcessAlive } from '../process-alive.js';

export class LockHeldError extends Error {
  constructor(file: string, pid: number) {
    super(`another Aegis daemon (pid ${pid}) already uses this state dir (${file}); stop it or set AEGIS_STATE_DIR`);
    this.name = 'LockHeldError';
  }
}

/** Lock files this process holds, so a second daemon in the same process is refused too. */
const heldHere = new Set<string>();

export function acquirePidLock(file: string): () => void {
  if (heldHere.has(file)) throw new LockHeldError(file, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        if (readPid(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPid(file);
      if (holder !== null && holder !== process.pid && isProcessAlive(holder)) throw new LockHeldError(file, holder);
      rmSync(file, { force: true }); // left behind by a process that is gone
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
