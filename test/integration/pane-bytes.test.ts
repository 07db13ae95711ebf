/**
 * A pane's bytes through the daemon's control connection, against real tmux: what the pane prints
 * arrives byte-exact (escapes, a backslash, UTF-8) to a byte listener; a snapshot carries the screen
 * with its colours and cursor; and when tmux pauses the pane (as it does to a connection that fell
 * behind; here asked for from outside), the pane is continued and its listeners are told, so a viewer
 * can draw a fresh screen; output flows again after.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxServer } from '../../src/tmux/tmux-server.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';
import { waitFor } from '../support/wait-for.js';

describe("a pane's byte stream", () => {
  const socket = uniqueSocket();
  const dir = mkdtempSync(join(tmpdir(), 'aegis-pane-bytes-'));
  let tmux: TmuxServer;

  beforeAll(async () => {
    tmux = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'aegis', cols: 80, rows: 20, commandTimeoutMs: 5000, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' }, identity: 'pane-bytes-test', captureDir: join(dir, 'captures') });
    await tmux.connect();
  });
  afterAll(async () => {
    await tmux?.close();
    killTmuxServer(socket);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A window that prints `script`'s output once a file named `name` appears in the test's directory. */
  async function printer(name: string, script: string) {
    return tmux.newWindow({ name, cwd: dir, env: {}, owner: name, argv: ['sh', '-c', `while [ ! -e ${name} ]; do sleep 0.05; done; ${script}; exec sleep 600`] });
  }

  it('hands a listener exactly what the pane printed, and a snapshot with colours and cursor', async () => {
    const { paneId } = await printer('exact', `printf 'a\\\\b \\033[31mred\\033[0m \\342\\202\\254 #{pane_id} %%s\\n'`);
    const received: Buffer[] = [];
    const release = tmux.wantOutput(paneId);
    const stop = tmux.onPaneBytes(paneId, (bytes) => received.push(bytes));
    try {
      writeFileSync(join(dir, 'exact'), '');
      const expected = 'a\\b \x1b[31mred\x1b[0m € #{pane_id} %s\r\n';
      await waitFor(() => Buffer.concat(received).toString('utf8').includes(expected), { what: 'the printed bytes' });
      const snapshot = await tmux.paneSnapshot(paneId);
      expect(snapshot).toMatchObject({ cols: 80, rows: 20, cursor: { x: 0, y: 1, visible: true } });
      expect(snapshot.data).toContain('\x1b[31mred');
      expect(snapshot.data).toContain('a\\b');
      expect(snapshot.data.endsWith('\x1b[2;1H\x1b[?25h')).toBe(true);
    } finally {
      stop();
      release();
    }
  });

  it('tells the listeners when tmux paused the pane and it was continued, and the bytes flow again', async () => {
    const { paneId } = await printer('paused', `while :; do printf 'tick\\n'; sleep 0.05; done`);
    const received: Buffer[] = [];
    let resumed = 0;
    const release = tmux.wantOutput(paneId);
    const stop = tmux.onPaneBytes(paneId, (bytes) => received.push(bytes), () => resumed++);
    try {
      writeFileSync(join(dir, 'paused'), '');
      await waitFor(() => Buffer.concat(received).toString().includes('tick'), { what: 'the first ticks' });
      const [client = ''] = execFileSync('tmux', ['-L', socket, 'list-clients', '-F', '#{client_name}']).toString().trim().split('\n');
      execFileSync('tmux', ['-L', socket, 'refresh-client', '-t', client, '-A', `${paneId}:pause`]);
      await waitFor(() => resumed === 1, { what: 'the pane continued and its listener told' });
      const before = Buffer.concat(received).length;
      await waitFor(() => Buffer.concat(received).length > before + 10, { what: 'ticks after the continue' });
    } finally {
      stop();
      release();
    }
  });
});
