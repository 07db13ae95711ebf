/**
 * One daemon per state dir, even when several start at the same moment over a lock left by a dead
 * daemon: exactly one takes the state dir, every other is refused with the holder's pid. Takers are
 * separate processes (the lock is the kernel's, per process), released when a process ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const LOCK_MODULE = resolve(import.meta.dirname, '../../dist/store/pid-lock.js');
const TAKERS = 8;
const ROUNDS = 6;

/**
 * A taker: waits for the common start instant, tries once, reports, and holds what it got until stdin
 * ends. Like a daemon that keeps no reference to the lock itself, it drops the release function and
 * collects garbage: the lock must outlive that.
 */
const TAKER = `
const [lockModule, stateDir, startAt] = process.argv.slice(1);
import(lockModule).then((m) => {
  while (Date.now() < Number(startAt)) {}
  try {
    m.acquireStateDirLock(stateDir);
    global.gc();
    process.stdout.write('held\\n');
  } catch (err) {
    process.stdout.write('refused ' + err.message + '\\n');
  }
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
});
`;

/** Holds a read lock on the lock file for 4 s (longer than a taker's 3 s wait), then exits. */
const BLOCKER = `
const [sqlite, lockFile] = process.argv.slice(1);
const Database = require(sqlite);
const db = new Database(lockFile);
db.pragma('locking_mode = EXCLUSIVE');
db.prepare('SELECT count(*) FROM sqlite_master').get();
process.stdout.write('reading\\n');
setTimeout(() => process.exit(0), 4000);
`;
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

interface Taker {
  pid: number;
  answer: Promise<string>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

function startTaker(stateDir: string, startAt: number): Taker {
  const child = spawn(process.execPath, ['--expose-gc', '-e', TAKER, LOCK_MODULE, stateDir, String(startAt)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const answer = new Promise<string>((resolve) => child.stdout.on('data', (d: Buffer) => { out += d; if (out.includes('\n')) resolve(out.trim()); }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    answer,
    stop: async () => { child.stdin.end(); await exited; },
    kill9: async () => { child.kill('SIGKILL'); await exited; },
  };
}

describe('the state dir lock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it(`lets exactly one of ${TAKERS} simultaneous takers have a state dir whose last daemon died`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const stateDir = mkdtempSync(join(tmpdir(), 'aegis-lock-'));
      dirs.push(stateDir);
      // The lock a daemon left when it died: its process is gone.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      writeFileSync(join(stateDir, 'aegis.pid'), `${dead}\n`);
      const startAt = Date.now() + 1500;
      const takers = Array.from({ length: TAKERS }, () => startTaker(stateDir, startAt));
      try {
        const answers = await Promise.all(takers.map((t) => t.answer));
        const holders = takers.filter((_, i) => answers[i] === 'held');
        expect(holders, `round ${round}: ${answers.join(' | ')}`).toHaveLength(1);
        for (const answer of answers.filter((a) => a !== 'held')) {
          expect(answer).toContain(`another Aegis daemon (pid ${holders[0]!.pid}) already uses this state dir`);
        }
      } finally {
        await Promise.all(takers.map((t) => t.stop()));
      }
    }
  });

  it('is taken once a start-up that held the lock file past the wait lets go, with no live holder named', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'aegis-lock-'));
    dirs.push(stateDir);
    const lockFile = join(stateDir, 'aegis.lock');
    // Another daemon starting at the same moment: it has read the lock file (a read lock, kept in
    // exclusive locking mode) and gives up later than this one's wait, as all of them did under load.
    const blocker = spawn(process.execPath, ['-e', BLOCKER, BETTER_SQLITE3, lockFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => blocker.once('exit', () => resolve()));
    await new Promise<void>((resolve) => blocker.stdout.once('data', () => resolve()));
    const taker = startTaker(stateDir, 0);
    try {
      expect(await taker.answer).toBe('held');
    } finally {
      await taker.stop();
      await exited;
    }
  }, 20_000);

  it('is free again the moment its holder is killed outright, with no stale lock to clear', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'aegis-lock-'));
    dirs.push(stateDir);
    const first = startTaker(stateDir, 0);
    expect(await first.answer).toBe('held');
    const refused = startTaker(stateDir, 0);
    expect(await refused.answer).toContain(`another Aegis daemon (pid ${first.pid})`);
    await refused.stop();
    await first.kill9();
    const next = startTaker(stateDir, 0);
    expect(await next.answer).toBe('held');
    await next.stop();
  });
});
