/**
 * Waiting for a session's state to satisfy a condition, without polling: whoever changes the state
 * calls `changed()`, and every waiter re-checks its condition. Each wait has a deadline, and closing
 * releases every wait at once (nothing waits on a session that is gone).
 */
interface Waiter {
  check(): void;
  release(): void;
}

export class Waiters {
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  /** Wakes every waiter so it re-checks its condition. */
  changed(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }

  /** Resolves true as soon as `condition` holds, false when the deadline passes first or on close. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition() || this.closed) return Promise.resolve(condition());
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(result);
      };
      const waiter: Waiter = {
        check: () => {
          if (condition()) finish(true);
        },
        release: () => finish(condition()),
      };
      const timer = setTimeout(waiter.release, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Releases every wait now, with its condition's current value; later waits return at once. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.release();
  }
}
