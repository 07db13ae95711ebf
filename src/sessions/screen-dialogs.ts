/**
 * When a dialog seen on the screen, with no hook call behind it, becomes a request: only after it
 * has stayed on the screen a moment (a hook that works comes first), and not again while the answer
 * typed for it has not landed yet. Pure state over time.
 */

export type DialogVerdict = { open: true } | { open: false; recheckInMs?: number };

export class ScreenDialogs {
  private seen: { identity: string; at: number } | null = null;

  /** `graceMs`: how long a dialog must stay on screen with no hook behind it before it counts. */
  constructor(private readonly graceMs: number) {}

  /** What to do about the dialog `identity` shown now. */
  consider(identity: string, now: number): DialogVerdict {
    if (this.seen?.identity !== identity) {
      this.seen = { identity, at: now };
      return { open: false, recheckInMs: this.graceMs };
    }
    const shownMs = now - this.seen.at;
    if (shownMs < this.graceMs) return { open: false, recheckInMs: this.graceMs - shownMs };
    return { open: true };
  }

  /** The dialog is being answered: it stays on screen until the keys land and must not count again meanwhile. */
  answering(identity: string, now: number): void {
    this.seen = { identity, at: now };
  }

  /** No dialog counts now. */
  forget(): void {
    this.seen = null;
  }
}
