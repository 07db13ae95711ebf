/**
 * Which panes' bytes the daemon receives. tmux sends what a pane prints as `%output` lines, and each
 * line wakes the daemon: ten sessions streaming replies woke it some 135 times a second, and those
 * wakes were most of what a working session cost. So a pane nobody asked bytes of is paused
 * (`refresh-client -A '%N:pause'`) the first time it prints, and the `window_activity` format
 * subscription says, at most once a second per pane, that it printed since. Whatever must see output
 * at once (a delivery waiting for its typed text, a dialog being answered, a live viewer) holds a
 * demand on the pane: while one is held the pane is continued and every `%output` line is reported.
 * A new control connection starts with every pane on, so the panes paused are forgotten then.
 *
 * Not `off`: tmux 3.3a switches a pane off without dropping the output it has queued for a client
 * that is behind, then sends that output from a buffer it has already drained, and the server
 * segfaults (every session goes with it). `pause` drops the queued output first.
 */

/** The format subscription that reports a pane printed (its window's activity time, in seconds). */
export const ACTIVITY_SUBSCRIPTION = 'aegis-activity';

const PANE_ID = /^%\d+$/;

export type PaneOutputMode = 'continue' | 'pause';

export class OutputDemand {
  /** How many demands are held, by pane. */
  private readonly held = new Map<string, number>();
  /** Panes paused on the current connection. */
  private readonly pausedPanes = new Set<string>();

  constructor(
    /** Continues or pauses a pane's `%output` on the current connection (best effort). */
    private readonly setMode: (paneId: string, mode: PaneOutputMode) => void,
    /** The pane printed: every line while a demand is held, at most about once a second otherwise. */
    private readonly report: (paneId: string) => void,
  ) {}

  /** Whether something holds a demand for the pane's bytes. */
  wanted(paneId: string): boolean {
    return this.held.has(paneId);
  }

  /** Holds a demand for the pane's bytes until the returned release is called (once is enough). */
  want(paneId: string): () => void {
    if (!PANE_ID.test(paneId)) throw new Error(`not a tmux pane id: ${JSON.stringify(paneId)}`);
    const count = this.held.get(paneId) ?? 0;
    this.held.set(paneId, count + 1);
    if (count === 0 && this.pausedPanes.delete(paneId)) this.setMode(paneId, 'continue');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(paneId) ?? 1) - 1;
      if (left > 0) {
        this.held.set(paneId, left);
        return;
      }
      this.held.delete(paneId);
      this.pausedPanes.add(paneId);
      this.setMode(paneId, 'pause');
    };
  }

  /** A `%output` line of the pane. */
  output(paneId: string): void {
    if (this.held.has(paneId)) {
      this.report(paneId);
    } else if (!this.pausedPanes.has(paneId) && PANE_ID.test(paneId)) {
      // The first bytes of a pane nobody watches: they are news once, then the pane goes quiet.
      this.pausedPanes.add(paneId);
      this.setMode(paneId, 'pause');
      this.report(paneId);
    }
    // A line of a paused pane was sent before tmux read the pause: the activity notice covers it.
  }

  /**
   * tmux paused the pane: Aegis asked it to, or fell behind on the pane (pause-after). A pane whose
   * bytes are wanted is continued; any other stays paused until they are.
   */
  paused(paneId: string): void {
    if (this.held.has(paneId)) this.setMode(paneId, 'continue');
    else this.pausedPanes.add(paneId);
  }

  /** The activity subscription says the pane printed since tmux last looked (about once a second). */
  activity(paneId: string): void {
    if (!this.held.has(paneId)) this.report(paneId);
  }

  /** A new control connection: tmux sends every pane's output again until told otherwise. */
  connected(): void {
    this.pausedPanes.clear();
  }
}
