/**
 * A session's live terminal for its viewers (the dashboard): each viewer gets the current screen first,
 * then what the pane prints, as text. The bytes come from the output the daemon's one tmux control
 * connection already receives, decoded only while someone watches (and the pane's output is wanted
 * only then: wantOutput).
 *
 * A slow viewer never slows the daemon or another viewer: what it has not taken yet waits in a queue
 * of its own, bounded; past the bound the queue is dropped and the viewer is sent a fresh screen once
 * it takes updates again. When tmux paused the pane because the connection itself fell behind, every
 * viewer gets a fresh screen after the pane is continued (what it printed meanwhile is lost by design).
 *
 * Order is exact at a snapshot: bytes printed before tmux answered the capture are in it; the ones
 * after are held until the snapshot has gone, then follow it.
 */
import { StringDecoder } from 'node:string_decoder';
import type { PaneSnapshot, TmuxServer } from '../tmux/tmux-server.js';

export type TerminalUpdate =
  | ({ type: 'snapshot' } & PaneSnapshot)
  | { type: 'output'; data: string }
  | { type: 'closed'; reason: string };

/** Where a viewer's updates go. `push` answers false when the viewer is full: nothing more until `drained()`. */
export interface TerminalSink {
  push(update: TerminalUpdate): boolean;
}

/** A viewer's hold on the terminal. */
export interface TerminalWatch {
  /** The sink takes updates again (after `push` answered false). */
  drained(): void;
  close(): void;
}

export type TerminalTmux = Pick<TmuxServer, 'onPaneBytes' | 'wantOutput' | 'paneSnapshot'>;

export interface TerminalFeedOptions {
  /** Bytes a viewer that stopped taking updates may have waiting before they are dropped for a fresh screen. */
  maxQueueBytes: number;
  onError: (err: unknown) => void;
}

export const DEFAULT_TERMINAL_QUEUE_BYTES = 256 * 1024;

export class TerminalFeed {
  private readonly viewers = new Set<Viewer>();
  private stop: (() => void) | null = null;
  private closedFor: string | null = null;

  constructor(
    private readonly paneId: string,
    private readonly tmux: TerminalTmux,
    private readonly options: TerminalFeedOptions,
  ) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  watch(sink: TerminalSink): TerminalWatch {
    if (this.closedFor !== null) {
      sink.push({ type: 'closed', reason: this.closedFor });
      return { drained: () => {}, close: () => {} };
    }
    const viewer = new Viewer(sink, this.paneId, this.tmux, this.options, () => this.leave(viewer));
    this.viewers.add(viewer);
    if (this.viewers.size === 1) this.follow();
    viewer.snapshot();
    return viewer;
  }

  /** The session ended: every viewer is told why, and no one else may watch. */
  close(reason: string): void {
    if (this.closedFor !== null) return;
    this.closedFor = reason;
    for (const viewer of [...this.viewers]) viewer.end(reason);
    this.unfollow();
  }

  private follow(): void {
    const releaseDemand = this.tmux.wantOutput(this.paneId);
    const unsubscribe = this.tmux.onPaneBytes(
      this.paneId,
      (bytes) => {
        for (const viewer of this.viewers) viewer.bytes(bytes);
      },
      () => {
        for (const viewer of this.viewers) viewer.snapshot();
      },
    );
    this.stop = () => {
      unsubscribe();
      releaseDemand();
    };
  }

  private unfollow(): void {
    this.stop?.();
    this.stop = null;
  }

  private leave(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    if (this.viewers.size === 0) this.unfollow();
  }
}

/**
 * One viewer: `live` (updates go straight to the sink), `snapshotting` (a screen is being captured;
 * bytes after its reply are held), `blocked` (the sink is full; text waits, bounded), `overflowed`
 * (the waiting text was dropped; a fresh screen follows the drain), `ended`.
 */
class Viewer implements TerminalWatch {
  private state: 'live' | 'snapshotting' | 'blocked' | 'overflowed' | 'ended' = 'live';
  /** Before the capture's reply, bytes are in the snapshot; after it, they are held here. */
  private afterReply = false;
  private held: Buffer[] = [];
  private waiting: string[] = [];
  private waitingBytes = 0;
  private decoder = new StringDecoder('utf8');
  /** A snapshot asked for while one is being taken: one more follows it. */
  private again = false;

  constructor(
    private readonly sink: TerminalSink,
    private readonly paneId: string,
    private readonly tmux: TerminalTmux,
    private readonly options: TerminalFeedOptions,
    private readonly leave: () => void,
  ) {}

  bytes(bytes: Buffer): void {
    switch (this.state) {
      case 'snapshotting':
        if (this.afterReply) this.held.push(bytes);
        return;
      case 'live':
      case 'blocked':
        this.send(this.decoder.write(bytes), bytes.length);
        return;
      default:
        return; // overflowed: a fresh screen is coming; ended: nobody listens
    }
  }

  /** Sends a fresh screen, then what follows it. */
  snapshot(): void {
    if (this.state === 'ended') return;
    if (this.state === 'snapshotting') {
      this.again = true;
      return;
    }
    this.state = 'snapshotting';
    this.afterReply = false;
    this.held = [];
    this.waiting = [];
    this.waitingBytes = 0;
    // What was half a character before the screen is not half of one after it.
    this.decoder = new StringDecoder('utf8');
    this.tmux
      .paneSnapshot(this.paneId, () => {
        this.afterReply = true;
      })
      .then(
        (screen) => this.snapshotTaken(screen),
        (err: unknown) => {
          // The pane is going (the session ends and says so) or tmux is: the viewer goes on without a screen.
          this.options.onError(err);
          this.snapshotTaken(null);
        },
      );
  }

  drained(): void {
    if (this.state === 'overflowed') return this.snapshot();
    if (this.state !== 'blocked') return;
    this.state = 'live';
    const text = this.waiting.join('');
    const bytes = this.waitingBytes;
    this.waiting = [];
    this.waitingBytes = 0;
    if (text) this.send(text, bytes);
  }

  close(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.held = [];
    this.waiting = [];
    this.leave();
  }

  end(reason: string): void {
    if (this.state === 'ended') return;
    this.sink.push({ type: 'closed', reason });
    this.close();
  }

  private snapshotTaken(screen: PaneSnapshot | null): void {
    if (this.state !== 'snapshotting') return;
    const held = this.held;
    this.held = [];
    this.state = 'live';
    if (screen && !this.sink.push({ type: 'snapshot', ...screen })) this.state = 'blocked';
    for (const bytes of held) this.bytes(bytes);
    if (this.again) {
      this.again = false;
      this.snapshot();
    }
  }

  private send(text: string, bytes: number): void {
    if (!text) return;
    if (this.state === 'live') {
      if (!this.sink.push({ type: 'output', data: text })) this.state = 'blocked';
      return;
    }
    this.waiting.push(text);
    this.waitingBytes += bytes;
    if (this.waitingBytes > this.options.maxQueueBytes) {
      this.waiting = [];
      this.waitingBytes = 0;
      this.state = 'overflowed';
    }
  }
}
