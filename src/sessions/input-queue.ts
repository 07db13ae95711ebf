/**
 * A session's one way into its pane. Every batch of keys (a delivery's typing, an interrupt, an
 * Escape, a dialog answer, a stall interrupt) runs after the one before it has finished, so two
 * writers never interleave their keys; whole deliveries (text, Enter, confirmation) also run one at a
 * time, so one delivery's confirmation is never taken by another's text. It knows when keys were
 * last sent and whether input is under way: typing is activity.
 */
export class InputQueue {
  private keys: Promise<unknown> = Promise.resolve();
  private deliveries: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private lastAt = 0;

  /** When keys were last sent (0: never). */
  get lastInputAt(): number {
    return this.lastAt;
  }

  /** Whether keys are being sent or a delivery runs. */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Runs a batch of keystrokes after every batch queued before it. */
  keystrokes<T>(batch: () => Promise<T>): Promise<T> {
    return this.track(() => {
      const run = this.keys.then(() => {
        this.lastAt = Date.now();
        return batch();
      });
      this.keys = run.catch(() => undefined);
      return run;
    });
  }

  /** Runs a whole delivery after every delivery queued before it. */
  delivery<T>(deliver: () => Promise<T>): Promise<T> {
    return this.track(() => {
      const run = this.deliveries.then(deliver, deliver);
      this.deliveries = run.catch(() => undefined);
      return run;
    });
  }

  private async track<T>(action: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.lastAt = Date.now();
    try {
      return await action();
    } finally {
      this.inFlight--;
      this.lastAt = Date.now();
    }
  }
}
