/**
 * Pane output on demand, against a real tmux: a pane whose bytes nobody wants reports that it printed
 * about once a second instead of once per `%output` line; while a demand is held, every line is
 * reported; demands are counted and their release is idempotent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TmuxServer } from '../../src/tmux/tmux-server.js';
import { killTmuxServer, uniqueSocket } from '../support/tmux.js';
import { waitFor } from '../support/wait-for.js';

/** Prints the number of lines it is given, one write each (10 ms apart), then `done-<n>`. */
const PRINTER = 'stty -echo; while read n; do i=0; while [ $i -lt $n ]; do echo line-$i; sleep 0.01; i=$((i+1)); done; echo done-$n; done';
const LINES = 150;
/** Waits for Enter, then prints some 3 MB as fast as it can, then `flooded`. */
const FLOODER = 'read x; i=0; while [ $i -lt 4000 ]; do printf "%0720d\\n" 0; i=$((i+1)); done; echo flooded; sleep 60';

/** For `ms`, lets this process read only now and then: the control connection's reader falls behind. */
async function readSlowly(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const until = Date.now() + 40;
    while (Date.now() < until) {
      // busy on purpose: nothing is read meanwhile
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('TmuxServer.wantOutput', () => {
  let socket: string;
  let tmux: TmuxServer;
  let dir: string;
  let paneId: string;
  let reports = 0;

  beforeEach(async () => {
    socket = uniqueSocket();
    dir = mkdtempSync(join(tmpdir(), 'aegis-demand-'));
    tmux = new TmuxServer({ tmuxBin: 'tmux', socket, session: 'aegis', cols: 80, rows: 20, commandTimeoutMs: 5000, env: process.env, identity: 'test-daemon', captureDir: join(dir, 'captures') });
    ({ paneId } = await tmux.newWindow({ name: 'printer', cwd: dir, env: {}, owner: 'o', argv: ['sh', '-c', PRINTER] }));
    reports = 0;
    tmux.on('paneOutput', (pane) => {
      if (pane === paneId) reports++;
    });
    // The pane prints once, so it is no longer news.
    await print(3);
  });

  afterEach(async () => {
    await tmux.close();
    killTmuxServer(socket);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Has the pane print `lines` lines and waits until the last is on its screen. */
  async function print(lines: number): Promise<void> {
    await tmux.typeText(paneId, String(lines));
    await tmux.pressKeys(paneId, 'Enter');
    await waitFor(async () => (await tmux.capture(paneId)).includes(`done-${lines}`), { what: `the pane to print ${lines} lines` });
  }

  /**
   * How many reports a printing of `lines` lines made while nobody wanted the pane's bytes. tmux sends
   * a pane's output after it draws it, so the count waits for a line printed later (while wanted) to be
   * reported: a pane's output arrives in order, so anything the printing sent came before it.
   */
  async function reportsUnwatched(lines: number): Promise<number> {
    const before = reports;
    await print(lines);
    const release = tmux.wantOutput(paneId);
    const mark = reports;
    await print(1);
    await waitFor(() => reports > mark, { what: 'the line printed while wanted to be reported' });
    release();
    return reports - before;
  }

  /** Waits until a printing of `lines` lines made at least `atLeast` reports (while the pane's bytes are wanted). */
  async function reportsWatched(lines: number, atLeast: number): Promise<void> {
    const before = reports;
    await print(lines);
    await waitFor(() => reports - before >= atLeast, { what: `${atLeast} reports of ${lines} lines printed` });
  }

  it('reports a pane nobody watches about once a second, not once per line', async () => {
    expect(await reportsUnwatched(LINES)).toBeLessThan(LINES / 5);
    // The activity subscription still says the pane printed.
    const before = reports;
    await print(LINES);
    await waitFor(() => reports > before, { what: 'an activity report' });
  });

  it('reports every line while a demand is held, and goes quiet again when the last is released', async () => {
    const first = tmux.wantOutput(paneId);
    const second = tmux.wantOutput(paneId);
    await reportsWatched(LINES, LINES / 2);
    second();
    second(); // a second release of the same demand changes nothing
    await reportsWatched(LINES, LINES / 2);
    first();
    expect(await reportsUnwatched(LINES)).toBeLessThan(LINES / 5);
  });

  it('keeps the tmux server alive when a pane goes quiet while its output waits to be sent', async () => {
    // tmux 3.3a's `off` leaves the output it has queued for the client in place and then reads it from
    // a buffer it has already drained: the server segfaults, and every session goes with it.
    // A reader that falls behind a flooding pane leaves output queued; the event loop is kept busy on
    // purpose (not to wait for anything) so that this connection is that reader.
    const flood = await tmux.newWindow({ name: 'flood', cwd: dir, env: {}, owner: 'o', argv: ['sh', '-c', FLOODER] });
    const release = tmux.wantOutput(flood.paneId);
    await tmux.pressKeys(flood.paneId, 'Enter');
    await readSlowly(1000);
    release();
    await readSlowly(1500);
    expect((await tmux.listWindows()).map((w) => w.paneId)).toContain(flood.paneId);
    await waitFor(async () => (await tmux.capture(flood.paneId)).includes('flooded'), { what: 'the flood to end', timeoutMs: 20_000 });
  });

  it('refuses a demand on something that is not a pane id', () => {
    expect(() => tmux.wantOutput('%1:on')).toThrow(/not a tmux pane id/);
  });
});
