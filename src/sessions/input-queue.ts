/**
 * A session's one way into its pane, and the only holder of the capability to send keys: the key
 * sender is given to the queue when it is made, and the queue hands it only to a batch it is running,
 * for as long as that batch runs. Every batch of keys (a delivery's typing, an interrupt, an Escape, a
 * dialog answer, a stall interrupt) runs after the one before it has finished, so two writers never
 * interleave their keys; whole deliveries (text, Enter, confirmation) also run one at a time, so one
 * delivery's confirmation is never taken by another's text. It knows when keys were last sent and
 * whether input is under way: typing is activity.
 */
import type { KeyAction } from '../claude/terminal-ui.js';

/** Sends keys to the pane; only a batch of the input queue is given one. */
export type Press = (actions: readonly KeyAction[]) => Promise<void>;

export class InputQueue {
  private keys: Promise<unknown> = Promise.resolve();
  private deliveries: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private lastAt = 0;

  constructor(private readonly send: Press) {}

  /** When keys were last sent (0: never). */
  get lastInputAt(): number {
    return this.lastAt;
  }

  /** Whether keys are being sent or a delivery runs. */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Runs a batch of keystrokes after every batch queued before it; its `press` works only while it runs. */
  keystrokes<T>(batch: (press: Press) => Promise<T>): Promise<T> {
    return this.track(() => {
      const run = this.keys.then(async () => {
        this.lastAt = Date.now();
        let running = true;
        const press: Press = (actions) => {
          if (!running) return Promise.reject(new Error('keys pressed after their batch of the input queue ended'));
          this.lastAt = Date.now();
          return this.send(actions);
        };
        try {
          return await batch(press);
        } finally {
          running = false;
        }
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
