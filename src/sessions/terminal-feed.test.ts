/**
 * The terminal feed with a tmux stand-in whose snapshots answer when the test says: a viewer gets the
 * screen first and every byte after the capture's reply exactly once; a viewer that stops taking
 * updates is bounded and gets a fresh screen when it drains, while another viewer gets everything; a
 * pane tmux paused gives every viewer a fresh screen; the pane's bytes are followed (and its output
 * wanted) only while someone watches.
 */
import { describe, expect, it } from 'vitest';
import type { PaneSnapshot } from '../tmux/tmux-server.js';
import { TerminalFeed, type TerminalTmux, type TerminalUpdate } from './terminal-feed.js';

interface PendingSnapshot {
  atReply: () => void;
  resolve: (snapshot: PaneSnapshot) => void;
}

function fakeTmux() {
  const listeners = new Set<{ bytes: (b: Buffer) => void; resumed: () => void }>();
  const snapshots: PendingSnapshot[] = [];
  let demand = 0;
  const tmux: TerminalTmux = {
    onPaneBytes: (_pane, bytes, resumed = () => {}) => {
      const entry = { bytes, resumed };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    wantOutput: () => {
      demand++;
      return () => demand--;
    },
    paneSnapshot: (_pane, atReply = () => {}) => new Promise<PaneSnapshot>((resolve) => snapshots.push({ atReply, resolve })),
  };
  const screen = (data: string): PaneSnapshot => ({ data, cols: 80, rows: 24, cursor: { x: 0, y: 0, visible: true } });
  return {
    tmux,
    print: (text: string | Buffer) => {
      for (const l of listeners) l.bytes(typeof text === 'string' ? Buffer.from(text) : text);
    },
    pause: () => {
      for (const l of listeners) l.resumed();
    },
    /** Answers the oldest capture: the reply is read, then (a microtask later) its promise settles. */
    answer: async (data: string, printedBetween?: string) => {
      const pending = snapshots.shift()!;
      pending.atReply();
      if (printedBetween !== undefined) for (const l of listeners) l.bytes(Buffer.from(printedBetween));
      pending.resolve(screen(data));
      await Promise.resolve();
      await Promise.resolve();
    },
    get pendingSnapshots() {
      return snapshots.length;
    },
    get listeners() {
      return listeners.size;
    },
    get demand() {
      return demand;
    },
  };
}

function viewer(room = Infinity) {
  const updates: TerminalUpdate[] = [];
  let space = room;
  return {
    updates,
    sink: {
      push: (update: TerminalUpdate) => {
        updates.push(update);
        space--;
        return space > 0;
      },
    },
    makeRoom: (n: number) => (space = n),
    text: () => updates.map((u) => (u.type === 'snapshot' ? `[${u.data}]` : u.type === 'output' ? u.data : `<${u.reason}>`)).join(''),
  };
}

const options = { maxQueueBytes: 100, onError: () => {} };

describe('a terminal feed', () => {
  it('sends the screen first, drops what it already holds, then every byte after its reply', async () => {
    const t = fakeTmux();
    const feed = new TerminalFeed('%1', t.tmux, options);
    const v = viewer();
    feed.watch(v.sink);
    t.print('before-');
    await t.answer('SCREEN', 'after-reply-');
    t.print('live');
    expect(v.text()).toBe('[SCREEN]after-reply-live');
  });

  it('joins a character split between two reads', async () => {
    const t = fakeTmux();
    const feed = new TerminalFeed('%1', t.tmux, options);
    const v = viewer();
    feed.watch(v.sink);
    await t.answer('S');
    const euro = Buffer.from('€');
    t.print(euro.subarray(0, 1));
    t.print(Buffer.concat([euro.subarray(1), Buffer.from('!')]));
    expect(v.text()).toBe('[S]€!');
  });

  it('bounds a viewer that stopped taking updates, and sends it a fresh screen when it drains, while another gets everything', async () => {
    const t = fakeTmux();
    const feed = new TerminalFeed('%1', t.tmux, options);
    const slow = viewer(2);
    const fast = viewer();
    const slowWatch = feed.watch(slow.sink);
    feed.watch(fast.sink);
    await t.answer('S1');
    await t.answer('S1');
    // The slow viewer takes one more update, then is full.
    for (let i = 0; i < 50; i++) t.print(`line ${i}\n`);
    expect(fast.text()).toBe(`[S1]${Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('')}`);
    expect(slow.updates).toHaveLength(2);
    slow.makeRoom(Infinity);
    slowWatch.drained();
    // Its backlog passed the bound: dropped, and a fresh screen is captured for it alone.
    expect(t.pendingSnapshots).toBe(1);
    await t.answer('S2');
    t.print('next');
    expect(slow.text()).toBe('[S1]line 0\n[S2]next');
    expect(fast.text().endsWith('line 49\nnext')).toBe(true);
  });

  it('flushes what a viewer missed while full, when it stayed under the bound', async () => {
    const t = fakeTmux();
    const feed = new TerminalFeed('%1', t.tmux, options);
    const v = viewer(1);
    const watch = feed.watch(v.sink);
    await t.answer('S');
    t.print('a');
    t.print('b');
    v.makeRoom(Infinity);
    watch.drained();
    expect(v.text()).toBe('[S]ab');
    expect(t.pendingSnapshots).toBe(0);
  });

  it('sends every viewer a fresh screen after tmux paused and continued the pane', async () => {
    const t = fakeTmux();
    const feed = new TerminalFeed('%1', t.tmux, options);
    const a = viewer();
    const b = viewer();
    feed.watch(a.sink);
    feed.watch(b.sink);
    await t.answer('S');
    await t.answer('S');
    t.pause();
    expect(t.pendingSnapshots).toBe(2);
    await t.answer('AFTER');
    await t.answer('AFTER');
    expect(a.text()).toBe('[S][AFTER]');
    expect(b.text()).toBe('[S][AFTER]');
  });

  it('follows the pane and wants its output only while someone watches, and ends every viewer when the session does', async () => {
    const t = fakeTmux();
    const feed = new TerminalFeed('%1', t.tmux, options);
    expect([t.listeners, t.demand]).toEqual([0, 0]);
    const a = viewer();
    const b = viewer();
    const watchA = feed.watch(a.sink);
    feed.watch(b.sink);
    expect([t.listeners, t.demand]).toEqual([1, 1]);
    watchA.close();
    expect([t.listeners, t.demand]).toEqual([1, 1]);
    await t.answer('S');
    await t.answer('S');
    feed.close('session_exited');
    expect([t.listeners, t.demand]).toEqual([0, 0]);
    expect(b.text()).toBe('[S]<session_exited>');
    expect(a.text()).toBe('');
    const late = viewer();
    feed.watch(late.sink);
    expect(late.text()).toBe('<session_exited>');
    expect(t.listeners).toBe(0);
  });
});
