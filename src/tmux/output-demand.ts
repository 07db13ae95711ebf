/**
 * Which panes' bytes the daemon receives. tmux sends what a pane prints as `%output` lines, and each
 * line wakes the daemon: ten sessions streaming replies woke it some 135 times a second, and those
 * wakes were most of what a working session cost. So a pane nobody asked bytes of is switched off
 * (`refresh-client -A '%N:off'`) the first time it prints, and the `window_activity` format
 * subscription says, at most once a second per pane, that it printed since. Whatever must see output
 * at once (a delivery waiting for its typed text, a dialog being answered, a live viewer) holds a
 * demand on the pane: while one is held the pane is on and every `%output` line is reported.
 * A new control connection starts with every pane on, so the panes switched off are forgotten then.
 */

/** The format subscription that reports a pane printed (its window's activity time, in seconds). */
export const ACTIVITY_SUBSCRIPTION = 'aegis-activity';

const PANE_ID = /^%\d+$/;

export type PaneOutputMode = 'on' | 'off';

export class OutputDemand {
  /** How many demands are held, by pane. */
  private readonly held = new Map<string, number>();
  /** Panes switched off on the current connection. */
  private readonly off = new Set<string>();

  constructor(
    /** Switches a pane's `%output` on or off on the current connection (best effort). */
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
    if (count === 0 && this.off.delete(paneId)) this.setMode(paneId, 'on');
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
      this.off.add(paneId);
      this.setMode(paneId, 'off');
    };
  }

  /** A `%output` line of the pane. */
  output(paneId: string): void {
    if (this.held.has(paneId)) {
      this.report(paneId);
    } else if (!this.off.has(paneId) && PANE_ID.test(paneId)) {
      // The first bytes of a pane nobody watches: they are news once, then the pane goes quiet.
      this.off.add(paneId);
      this.setMode(paneId, 'off');
      this.report(paneId);
    }
    // A line of a pane switched off was sent before tmux read the switch: the activity notice covers it.
  }

  /** The activity subscription says the pane printed since tmux last looked (about once a second). */
  activity(paneId: string): void {
    if (!this.held.has(paneId)) this.report(paneId);
  }

  /** A new control connection: tmux sends every pane's output again until told otherwise. */
  connected(): void {
    this.off.clear();
  }
}
