import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSessionUser, checkSqlite, checkStateDir, parseTmuxVersion } from './doctor-checks.js';

describe('parseTmuxVersion', () => {
  it.each([
    ['tmux 3.3a', { major: 3, minor: 3 }],
    ['tmux 3.2', { major: 3, minor: 2 }],
    ['tmux next-3.5', { major: 3, minor: 5 }],
    ['tmux master', null],
  ])('reads %s', (output, expected) => {
    expect(parseTmuxVersion(output)).toEqual(expected);
  });
});

describe('checkStateDir', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes nothing: a missing state dir under a writable parent passes as one the daemon will make', () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-doctor-'));
    const stateDir = join(dir, 'nested', 'state');
    expect(checkStateDir(stateDir)).toMatchObject({ ok: true, detail: `${stateDir} does not exist yet: the daemon makes it (mode 0700) when it starts` });
    expect(readdirSync(dir)).toEqual([]);
    chmodSync(dir, 0o700);
    expect(checkStateDir(dir)).toMatchObject({ ok: true, detail: `${dir} is writable` });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with a hint when the path cannot be a directory', () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-doctor-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const check = checkStateDir(join(file, 'state'));
    expect(check.ok).toBe(false);
    expect(check.hint).toContain('AEGIS_STATE_DIR');
  });

  it('fails with a hint when other users may enter the state dir', () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-doctor-'));
    chmodSync(dir, 0o777);
    const check = checkStateDir(dir);
    expect(check).toMatchObject({ ok: false, detail: `${dir} is writable, but its mode 0777 lets other users in`, hint: `chmod 700 ${dir} (the daemon does so itself when it starts)`, fix: `chmod 700 ${dir}` });
  });
});

describe('checkSessionUser', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('warns about a root daemon without a session user, and is content otherwise', async () => {
    expect(await checkSessionUser({ stateDir: '/x', allowedWorkdirs: [] }, 0)).toMatchObject({ ok: true, warn: true, detail: expect.stringContaining('AEGIS_SESSION_USER') });
    expect(await checkSessionUser({ stateDir: '/x', allowedWorkdirs: [] }, 1000)).toMatchObject({ ok: true });
  });

  it('fails for a user the system does not have', async () => {
    expect(await checkSessionUser({ sessionUser: 'no-such-user-here', stateDir: '/x', allowedWorkdirs: [] }, 0)).toMatchObject({ ok: false, detail: 'no-such-user-here is not a user of this system' });
  });

  it('names each way the user could reach the daemon or fail to work: a state dir it can enter, work dirs it cannot write, no home of its own', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-doctor-user-'));
    chmodSync(dir, 0o755);
    const check = await checkSessionUser({ sessionUser: 'nobody', stateDir: dir, allowedWorkdirs: [dir] }, 0);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(`it can reach the state dir ${dir}`);
    expect(check.detail).toContain(`it cannot write the allowed work dirs ${dir}`);
    expect(check.detail).toContain('is missing or not its own');
  });

  it.runIf(process.getuid?.() === 0)('says when the user cannot run the Claude command: it sits under a directory the user cannot search', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-doctor-claude-'));
    const program = join(dir, 'bin', 'claude');
    mkdirSync(dirname(program));
    writeFileSync(program, '#!/bin/sh\n', { mode: 0o755 });
    chmodSync(dirname(program), 0o755);
    chmodSync(dir, 0o700);
    const config = { sessionUser: 'nobody', stateDir: join(dir, 'state'), allowedWorkdirs: [], claudeCommand: program };
    expect((await checkSessionUser(config, 0)).detail).toContain(`it cannot run the Claude command ${program}`);
    chmodSync(dir, 0o755);
    expect((await checkSessionUser(config, 0)).detail).not.toContain('Claude command');
  });
});

describe('checkSqlite', () => {
  it('passes when the SQLite binding loads, naming its version', () => {
    const check = checkSqlite();
    expect(check).toMatchObject({ name: 'sqlite', ok: true });
    expect(check.detail).toMatch(/^SQLite \d+\.\d+\.\d+ loads in Node v\d+/);
  });

  it('fails, in one line and with the rebuild to run, when the binding was built for another Node', () => {
    const check = checkSqlite(() => {
      throw new Error("The module '/opt/aegis/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127.");
    });
    expect(check).toMatchObject({ name: 'sqlite', ok: false });
    expect(check.detail).not.toContain('\n');
    expect(check.detail).toContain('NODE_MODULE_VERSION 115');
    expect(check.hint).toContain('npm rebuild better-sqlite3');
    expect(check.fix).toMatch(/npm rebuild better-sqlite3$/);
  });
});
