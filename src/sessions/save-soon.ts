/**
 * A save that waits a moment, so a burst of changes (transcript chunks, activity) is one write, yet a
 * crash loses at most that moment. Saving now (`flush`) or for another reason (`cancel`) ends the wait.
 */
export class SaveSoon {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly delayMs: number,
    private readonly save: () => void,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.save();
    }, this.delayMs);
  }

  /** Saves now if a save was waiting. */
  flush(): void {
    if (!this.timer) return;
    this.cancel();
    this.save();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
