/**
 * Claude starts in the work dir that was checked, or not at all: a directory swapped for a symlink
 * (to a place outside the allowed roots) after the check is never where Claude runs. The swaps are
 * made at fixed points (between the check and the launch, and between the opening of the directory
 * and tmux's start of the window), so each race is run deterministically.
 */
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { SessionLauncher } from '../../src/sessions/session-launcher.js';
import type { SessionRecord } from '../../src/sessions/session-record.js';
import { DEFAULT_TIMING } from '../../src/sessions/timing.js';
import { TmuxServer, type NewWindow } from '../../src/tmux/tmux-server.js';
import { waitFor } from '../support/wait-for.js';
import { standInClaude } from '../support/stand-in.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';

describe('a work dir swapped for a symlink while a session starts', () => {
  let root: string;
  let allowed: string;
  let outside: string;
  let socket: string;
  let tmux: TmuxServer;
  const records = new Map<string, SessionRecord>();

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'aegis-race-')));
    allowed = join(root, 'allowed');
    outside = join(root, 'outside');
    mkdirSync(join(allowed, 'project', 'app'), { recursive: true });
    mkdirSync(join(outside, 'project', 'app'), { recursive: true });
    socket = uniqueSocket();
    tmux = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'aegis', cols: 120, rows: 30, commandTimeoutMs: 5000, env: process.env, identity: 'race-test', captureDir: join(root, 'captures') });
    records.clear();
  });

  afterEach(async () => {
    await tmux.close();
    killTmuxServer(socket);
    rmSync(root, { recursive: true, force: true });
  });

  /** A launcher whose tmux runs `beforeWindow` just before it opens the window. */
  function launcher(beforeWindow: () => void = () => {}) {
    const config = configSchema.parse({ stateDir: join(root, 'state'), allowedWorkdirs: [allowed], claudeCommand: standInClaude(), logLevel: 'silent' });
    const racingTmux = {
      newWindow: (spec: NewWindow) => {
        beforeWindow();
        return tmux.newWindow(spec);
      },
      killWindow: (id: string) => tmux.killWindow(id),
    };
    return new SessionLauncher({
      config,
      env: { PATH: process.env.PATH },
      tmux: racingTmux,
      repository: { save: (r) => records.set(r.id, { ...r }), remove: (id) => records.delete(id), find: () => null, count: () => records.size, all: () => [], exited: () => [] },
      logger: pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true })),
      hookBaseUrl: () => 'http://127.0.0.1:1',
      timing: DEFAULT_TIMING,
    });
  }

  /** Replaces `dir` with a symlink to the same place under `outside`. */
  const swap = (dir: string) => {
    renameSync(dir, `${dir}.moved`);
    symlinkSync(dir.replace(allowed, outside), dir);
  };

  /** Where the session's program runs, when the launch went through; the refusal otherwise. */
  async function outcome(launch: Promise<SessionRecord>): Promise<string> {
    try {
      const record = await launch;
      return readlinkSync(`/proc/${record.panePid}/cwd`);
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  }

  const workDir = () => join(allowed, 'project', 'app');

  it('refuses the start when the work dir became a symlink after the check', async () => {
    const sessions = launcher();
    const checked = sessions.check({ workDir: workDir() });
    swap(workDir());
    expect(await outcome(sessions.launch({ workDir: workDir() }, checked, null))).toBe('WORKDIR_NOT_ALLOWED');
    expect(records.size).toBe(0);
  });

  it('refuses the start when a directory above the work dir became a symlink after the check', async () => {
    const sessions = launcher();
    const checked = sessions.check({ workDir: workDir() });
    swap(join(allowed, 'project'));
    expect(await outcome(sessions.launch({ workDir: workDir() }, checked, null))).toBe('WORKDIR_NOT_ALLOWED');
  });

  it('starts Claude in the checked directory, or refuses, when the swap comes after the directory was opened', async () => {
    const sessions = launcher(() => swap(workDir()));
    const checked = sessions.check({ workDir: workDir() });
    const where = await outcome(sessions.launch({ workDir: workDir() }, checked, null));
    expect(where).not.toContain(outside);
    // The opened directory was moved away: what Claude would run in is no longer the checked path, so nothing runs.
    expect(where).toBe('WORKDIR_NOT_ALLOWED');
    expect((await tmux.listWindows()).filter((w) => !w.keeper)).toEqual([]);
  });

  it('starts Claude in the checked directory when nothing moves, with PWD naming it', async () => {
    const sessions = launcher();
    const checked = sessions.check({ workDir: workDir() });
    const record = await sessions.launch({ workDir: workDir() }, checked, null);
    expect(readlinkSync(`/proc/${record.panePid}/cwd`)).toBe(checked);
    // `env` may still be replacing itself with Claude: its environment reads empty for that moment.
    const environ = () => readFileSync(`/proc/${record.panePid}/environ`, 'utf8').split('\0');
    await waitFor(() => environ().length > 1, { what: 'the pane process to show its environment' });
    expect(environ()).toContain(`PWD=${checked}`);
  });
});
