/**
 * How a session looks at its pane: the screen is read again a moment after the pane printed
 * (output comes in bursts; one read per burst), or once after a delay for states no further output
 * would reveal, or at once when someone needs it now. Each read is parsed and handed to the session.
 * tmux reports that a pane printed about once a second unless its output is wanted
 * (`tmux/output-demand.ts`): whoever waits for the screen to change wants it while waiting, and a
 * session wants it while it starts (its start-up dialogs and first prompt are seen at once). Hooks
 * and the transcript tell the rest. It owns its timers and demands and closes them with the session.
 */
import { parseScreen, screenFingerprint, type ScreenState } from '../claude/screen.js';
import type { Timing } from './timing.js';

export interface ScreenRead {
  state: ScreenState;
  text: string;
  /** Whether the screen differs from the last read beyond what changes on its own (the spinner's clock). */
  changed: boolean;
}

export interface ScreenWatchDeps {
  capture(paneId: string): Promise<string>;
  /** Asks for every report of the pane printing until the returned release is called. */
  wantOutput(paneId: string): () => void;
  timing: Pick<Timing, 'screenThrottleMs' | 'screenEagerMs'>;
  /** Every successful read, in order. */
  onRead(read: ScreenRead): void;
  onError(err: unknown): void;
}

export class ScreenWatch {
  text = '';
  state: ScreenState = { kind: 'unknown' };
  private fingerprint = '';
  private throttle: NodeJS.Timeout | null = null;
  /** When the pending read is due (Date.now() time). */
  private throttleDue = 0;
  private recheck: NodeJS.Timeout | null = null;
  /** How many are waiting for the screen to change: while any is, output is read at once. */
  private waiting = 0;
  /** Reads begun so far, and which of them the current `state` came from. */
  private readsBegun = 0;
  private stateFromRead = 0;
  private closed = false;
  /** Output wanted while a condition holds (`watchWhile`): released at the first read it fails. */
  private watching: { holds: () => boolean; release: () => void } | null = null;

  constructor(
    private readonly paneId: string,
    private readonly deps: ScreenWatchDeps,
  ) {}

  /**
   * The pane printed: read the screen once the burst is over, or at the latest `afterMs` from now
   * when no one waits for it (a longer wait than the usual one for output that can hardly change
   * what the screen says). A read due sooner than asked stays as it is.
   */
  schedule(afterMs = this.deps.timing.screenThrottleMs): void {
    if (this.closed) return;
    const delay = this.waiting > 0 ? this.deps.timing.screenEagerMs : afterMs;
    if (this.throttle && this.throttleDue <= Date.now() + delay) return;
    if (this.throttle) clearTimeout(this.throttle);
    this.throttleDue = Date.now() + delay;
    this.throttle = setTimeout(() => {
      this.throttle = null;
      this.readNow().catch((err: unknown) => this.deps.onError(err));
    }, delay);
  }

  /**
   * Runs `wait` (for something to show on the screen) with the screen read now, and then as soon as
   * the pane prints. `fresh()` says whether `state` comes from a read begun after this call (one that
   * can show what was just typed or pressed), not from an earlier one.
   */
  async closely<T>(wait: (fresh: () => boolean) => Promise<T>): Promise<T> {
    const since = this.readsBegun;
    this.waiting++;
    const release = this.deps.wantOutput(this.paneId);
    try {
      // The read now covers the output a pending read was held back for.
      if (this.throttle) clearTimeout(this.throttle);
      this.throttle = null;
      await this.readNow();
      return await wait(() => this.stateFromRead > since);
    } finally {
      this.waiting--;
      release();
    }
  }

  /** Wants every report of the pane printing while `holds()`, looked at after each read. */
  watchWhile(holds: () => boolean): void {
    if (this.closed || this.watching || !holds()) return;
    this.watching = { holds, release: this.deps.wantOutput(this.paneId) };
  }

  /** One read after `ms`, for a state no further output would reveal. */
  recheckIn(ms: number): void {
    if (this.recheck || this.closed) return;
    this.recheck = setTimeout(() => {
      this.recheck = null;
      this.schedule();
    }, ms);
  }

  /** Reads the screen now; a pane that cannot be read leaves the last read as it was. */
  async readNow(): Promise<ScreenState> {
    if (this.closed) return this.state;
    const read = ++this.readsBegun;
    let text: string;
    try {
      text = await this.deps.capture(this.paneId);
    } catch {
      return this.state;
    }
    if (this.closed) return this.state;
    if (read < this.stateFromRead) return this.state; // a later read already answered
    this.stateFromRead = read;
    this.text = text;
    this.state = parseScreen(text);
    const fingerprint = screenFingerprint(text);
    const changed = fingerprint !== this.fingerprint;
    this.fingerprint = fingerprint;
    this.deps.onRead({ state: this.state, text, changed });
    if (this.watching && !this.watching.holds()) this.stopWatching();
    return this.state;
  }

  close(): void {
    this.closed = true;
    this.stopWatching();
    if (this.throttle) clearTimeout(this.throttle);
    if (this.recheck) clearTimeout(this.recheck);
    this.throttle = this.recheck = null;
  }

  private stopWatching(): void {
    this.watching?.release();
    this.watching = null;
  }
}
