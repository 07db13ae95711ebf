import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TmuxServer } from '../../src/tmux/tmux-server.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';
import { waitFor } from '../support/wait-for.js';

describe('TmuxServer against a real tmux', () => {
  let socket: string;
  let tmux: TmuxServer;
  let dir: string;

  beforeEach(() => {
    socket = uniqueSocket();
    dir = mkdtempSync(join(tmpdir(), 'aegis-tmux-'));
    tmux = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'aegis', cols: 120, rows: 30, commandTimeoutMs: 5000, env: process.env, identity: 'test-daemon', captureDir: join(dir, 'captures') });
  });

  afterEach(async () => {
    await tmux.close();
    killTmuxServer(socket);
  });

  it('runs a program from an argument array, without a shell, in a window it owns', async () => {
    const out = join(dir, 'args.txt');
    const pane = await tmux.newWindow({
      name: 'w1', cwd: dir, env: { AEGIS_PROBE: 'env $ok' }, owner: 'owner-1',
      argv: ['node', '-e', 'require("fs").writeFileSync(process.argv[1], JSON.stringify([process.argv[2], process.env.AEGIS_PROBE, process.cwd()])); setInterval(() => {}, 1000)', out, '$(echo no) `x` "q"'],
    });
    expect(pane.paneId).toMatch(/^%\d+$/);
    const written = await waitFor(() => { try { return readFileSync(out, 'utf8'); } catch { return undefined; } }, { what: 'the program to write its arguments' });
    expect(JSON.parse(written)).toEqual(['$(echo no) `x` "q"', 'env $ok', dir]);
    const windows = await tmux.listWindows();
    expect(windows.find((w) => w.owner === 'owner-1')).toMatchObject({ windowId: pane.windowId, paneId: pane.paneId, dead: false, name: 'w1' });
  });

  it('types and pastes tricky text literally, and pastes multi-line text', async () => {
    const out = join(dir, 'typed.txt');
    const pane = await tmux.newWindow({
      name: 'cat', cwd: dir, env: {}, owner: 'o',
      argv: ['sh', '-c', `stty -echo; cat > ${out}`],
    });
    const tricky = `it's "quoted" $(whoami) \`id\` $HOME \\ ; # {x} ~ ✓ 🚀 \t tab`;
    await tmux.typeText(pane.paneId, tricky);
    await tmux.pressKeys(pane.paneId, 'Enter');
    await tmux.paste(pane.paneId, 'line one\nline "two"\n');
    // Every line of a message is a paste of its own: tmux's command separator, escapes and formats stay text.
    const lines = [tricky, ';', '\\', '#{pane_id} ## #(id)', '\\;'];
    for (const line of lines) {
      await tmux.paste(pane.paneId, line);
      await tmux.pressKeys(pane.paneId, 'Enter');
    }
    await tmux.pressKeys(pane.paneId, 'C-d');
    const expected = `${tricky}\nline one\nline "two"\n${lines.join('\n')}\n`;
    await waitFor(() => { try { return readFileSync(out, 'utf8').length >= expected.length; } catch { return false; } }, { what: 'cat to receive the text' });
    expect(readFileSync(out, 'utf8')).toBe(expected);
  });

  it('does not run #(…) or expand #{…} from a window name, work dir or env value, and keeps each exactly', async () => {
    const ran = join(dir, 'ran');
    const name = `-n #(touch ${ran}-name) #{session_name} ##{x}`;
    // A work dir's name cannot hold "/", so its #() job would leave its mark in the home directory.
    const homeMarker = `.aegis-test-${randomBytes(4).toString('hex')}`;
    const cwd = join(dir, `-c #(cd;touch ${homeMarker}) #{pane_id} ##(x)`);
    mkdirSync(cwd);
    const pane = await tmux.newWindow({ name, cwd, env: { NOTE: `#(touch ${ran}-env) #{pane_id}` }, owner: 'o', argv: ['sleep', '600'] });
    expect((await tmux.listWindows()).find((w) => w.paneId === pane.paneId)?.name).toBe(name);
    // The pane's process has its own directory and environment once it runs the program (after exec).
    await waitFor(() => readFileSync(`/proc/${pane.panePid}/cmdline`, 'utf8').startsWith('sleep\0'), { what: 'the pane to run sleep' });
    expect(readlinkSync(`/proc/${pane.panePid}/cwd`)).toBe(cwd);
    expect(readFileSync(`/proc/${pane.panePid}/environ`, 'utf8').split('\0')).toContain(`NOTE=#(touch ${ran}-env) #{pane_id}`);
    // A #() job would have run by now: tmux starts it while expanding.
    const ranInHome = existsSync(join(homedir(), homeMarker));
    rmSync(join(homedir(), homeMarker), { force: true });
    expect(existsSync(`${ran}-name`) || existsSync(`${ran}-env`) || ranInHome).toBe(false);
  });

  it('types and pastes text that starts with "-" literally, instead of reading it as flags', async () => {
    const out = join(dir, 'dashes.txt');
    const pane = await tmux.newWindow({ name: 'cat', cwd: dir, env: {}, owner: 'o', argv: ['sh', '-c', `stty -echo; cat > ${out}`] });
    await tmux.typeText(pane.paneId, '-v is a flag');
    await tmux.pressKeys(pane.paneId, 'Enter');
    await tmux.typeText(pane.paneId, '--');
    await tmux.pressKeys(pane.paneId, 'Enter');
    await tmux.paste(pane.paneId, '- one\n- two\n');
    await tmux.pressKeys(pane.paneId, 'C-d');
    const expected = '-v is a flag\n--\n- one\n- two\n';
    await waitFor(() => { try { return readFileSync(out, 'utf8').length >= expected.length; } catch { return false; } }, { what: 'cat to receive the text' });
    expect(readFileSync(out, 'utf8')).toBe(expected);
  });

  it('reports output, pane death with its exit status, and window close as events', async () => {
    const outputs: string[] = [];
    tmux.on('paneOutput', (p) => outputs.push(p));
    const died = new Promise<[string, number | null]>((resolve) => tmux.once('paneDied', (p, s) => resolve([p, s])));
    const pane = await tmux.newWindow({ name: 'short', cwd: dir, env: {}, owner: 'o', argv: ['sh', '-c', 'echo hello; read x; exit 7'] });
    await waitFor(() => outputs.includes(pane.paneId), { what: 'an output event' });
    expect(await tmux.capture(pane.paneId)).toContain('hello');
    await tmux.pressKeys(pane.paneId, 'Enter');
    const [deadPane, reported] = await died;
    expect(deadPane).toBe(pane.paneId);
    // tmux 3.3 can report the death before it knows the status; it is asked for again then. In about
    // one death in seven tmux 3.3a never learns it (pane_dead 1, pane_dead_status empty for good).
    const status = reported ?? (await tmux.paneExitStatus(pane.paneId, 1000));
    expect([7, null]).toContain(status);
    const windows = await tmux.listWindows();
    expect(windows.find((w) => w.paneId === pane.paneId)).toMatchObject({ dead: true, exitStatus: status });
    const closed = new Promise<string>((resolve) => tmux.once('windowClose', resolve));
    await tmux.killWindow(pane.windowId);
    expect(await closed).toBe(pane.windowId);
  });

  it('tells a pane a signal ended from one whose status is not known yet, without waiting', async () => {
    // tmux 3.3a never learns how a killed pane ended in about one death in four (pane_dead 1, status
    // and signal empty for good, measured with tmux alone): panes are killed until one it learns.
    let learned = false;
    for (let attempt = 0; attempt < 10 && !learned; attempt++) {
      const died = new Promise<string>((resolve) => tmux.once('paneDied', (p) => resolve(p)));
      const pane = await tmux.newWindow({ name: `killed-${attempt}`, cwd: dir, env: {}, owner: 'o', argv: ['sleep', '100'] });
      process.kill(pane.panePid, 'SIGKILL');
      expect(await died).toBe(pane.paneId);
      learned = await waitFor(async () => (await tmux.paneDeath(pane.paneId)).signal !== null, { what: 'tmux to learn the signal', timeoutMs: 2000 }).then(
        () => true,
        () => false,
      );
      expect(await tmux.paneDeath(pane.paneId)).toEqual({ status: null, signal: learned ? 9 : null });
      await tmux.killWindow(pane.windowId);
    }
    expect(learned).toBe(true);
  });

  it('configures each new control connection as soon as it is attached, every time', async () => {
    await tmux.connect();
    const controlClientFlags = () =>
      execFileSync('tmux', ['-L', socket, 'list-clients', '-F', '#{client_control_mode} #{client_flags}']).toString().trim().split('\n')
        .filter((line) => line.startsWith('1 '))
        .map((line) => line.slice(2).split(','));
    for (let i = 0; i < 20; i++) {
      const another = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'aegis', cols: 120, rows: 30, commandTimeoutMs: 5000, env: process.env, identity: 'test-daemon', captureDir: join(dir, 'captures') });
      await another.connect();
      // Both connections, the first and this new one, pause a pane instead of buffering without limit.
      const flags = controlClientFlags();
      expect(flags).toHaveLength(2);
      for (const clientFlags of flags) expect(clientFlags).toContain('pause-after=30');
      if (i === 19) {
        // The new connection hears of a pane's death, with its exit status (the pane stays to be read).
        const died = new Promise<[string, number | null]>((resolve) => another.on('paneDied', (paneId, status) => resolve([paneId, status])));
        const pane = await another.newWindow({ name: 'dies', cwd: dir, env: {}, owner: 'o', argv: ['sh', '-c', 'exit 3'] });
        const [deadPane, reported] = await died;
        expect(deadPane).toBe(pane.paneId);
        // tmux 3.3a can report the death before it knows the status (see above).
        expect([3, null]).toContain(reported ?? (await another.paneExitStatus(pane.paneId, 1000)));
      }
      await another.close();
    }
  });

  it("reads a screen whose lines look like tmux's own reply and notification lines as text, and the connection stays in step", async () => {
    // A window of 200 rows, so that one screen holds guesses at the numbers of the next 190 commands.
    const tall = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'aegis', cols: 80, rows: 200, commandTimeoutMs: 5000, env: process.env, identity: 'tall', captureDir: join(dir, 'tall-captures') });
    try {
      const closes: string[] = [];
      tall.on('windowClose', (windowId) => closes.push(windowId));
      await tall.listWindows();
      // The number tmux gives the next command of any client: one past that of a command asked now.
      const next = (await commandNumberNow(socket)) + 1;
      const script = join(dir, 'guard-lines.sh');
      const guesses = Array.from({ length: 190 }, (_, i) => `%end 1 ${next + i} 1`);
      writeFileSync(script, `printf '%s\\n' ${[...guesses, '%window-close @4242', '%begin 1 99999 1', 'drawn'].map((l) => `'${l}'`).join(' ')}; exec sleep 600\n`);
      const pane = await tall.newWindow({ name: 'guard', cwd: dir, env: {}, owner: 'o', argv: ['sh', script] });
      const screen = await waitFor(async () => {
        const text = await tall.capture(pane.paneId);
        return text.includes('drawn') ? text : undefined;
      }, { what: 'the screen of guard lines' });
      expect(screen.split('\n').filter((line) => line.startsWith('%end 1 '))).toHaveLength(guesses.length);
      expect(screen).toContain('%window-close @4242');
      expect((await tall.paneSnapshot(pane.paneId)).data).toContain('%begin 1 99999 1');
      expect(closes).toEqual([]);
      expect(await tall.responds(2000)).toBe(true);
      expect(readdirSync(join(dir, 'tall-captures'))).toEqual([]);
    } finally {
      await tall.close();
    }
  });

  it('rejects a failing command with a TmuxError naming the subcommand, the tmux message and its kind', async () => {
    await expect(tmux.capture('%9999')).rejects.toThrow(/capture-pane failed: .*can't find pane/);
    await expect(tmux.capture('%9999')).rejects.toMatchObject({ name: 'TmuxError', subcommand: 'capture-pane', kind: 'target-missing' });
    await expect(tmux.paste('%9999', 'x'.repeat(1000))).rejects.toMatchObject({ name: 'TmuxError', subcommand: 'paste-buffer', kind: 'target-missing' });
    // The failed paste's buffer is gone with it.
    expect(execFileSync('tmux', ['-L', socket, 'list-buffers', '-F', '#{buffer_name}'], { encoding: 'utf8' })).not.toMatch(/aegis-/);
  });

  it('says a server is gone only when tmux shows it, and fails loudly when tmux cannot be run', async () => {
    expect(await tmux.sessionExists()).toBe(false); // no server on this socket yet
    await tmux.connect();
    expect(await tmux.sessionExists()).toBe(true);
    const other = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'not-ours', cols: 120, rows: 30, commandTimeoutMs: 5000, env: process.env, identity: 'x', captureDir: join(dir, 'captures') });
    expect(await other.sessionExists()).toBe(false); // the server runs, that tmux session does not
    const missing = new TmuxServer({ tmuxBin: join(dir, 'no-tmux-here'), socket, session: 'aegis', cols: 120, rows: 30, commandTimeoutMs: 5000, env: process.env, identity: 'x', captureDir: join(dir, 'captures') });
    await expect(missing.sessionExists()).rejects.toMatchObject({ name: 'TmuxError', kind: 'unavailable' });
    await expect(missing.version()).rejects.toMatchObject({ name: 'TmuxError', kind: 'unavailable' });
    await expect(missing.connect()).rejects.toMatchObject({ name: 'TmuxError', kind: 'unavailable' });
  });

  it('marks each window it opens, and the placeholder window of a server it starts, with its identity', async () => {
    const pane = await tmux.newWindow({ name: 'w', cwd: dir, env: {}, owner: 'o', argv: ['sleep', '600'] });
    const windows = await tmux.listWindows();
    expect(windows.find((w) => w.paneId === pane.paneId)).toMatchObject({ daemon: 'test-daemon', owner: 'o', keeper: false });
    expect(windows.find((w) => w.keeper)).toMatchObject({ daemon: 'test-daemon' });
  });

  it('emits disconnected when the tmux server is killed', async () => {
    await tmux.connect();
    const gone = new Promise<string>((resolve) => tmux.once('disconnected', resolve));
    killTmuxServer(socket);
    await expect(gone).resolves.toBeTypeOf('string');
    expect(tmux.connected).toBe(false);
  });
});

/** The number tmux gave a command asked now, read from its reply to a control client of the test's own. */
async function commandNumberNow(socket: string): Promise<number> {
  const client = spawn('tmux', ['-L', socket, '-C', 'attach', '-t', '=aegis'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  client.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  client.stdin.write('display-message -p probe\n');
  try {
    const number = await waitFor(() => /^%begin \d+ (\d+) 1$/m.exec(out)?.[1], { what: "the reply to the test's own command" });
    return Number(number);
  } finally {
    client.stdin.end();
    await once(client, 'close');
  }
}
