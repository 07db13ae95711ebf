/**
 * What a long-lived owner has opened, closed in reverse when it closes. Every step runs even when an
 * earlier one fails: a failing step is reported and the next still closes, so one stuck or broken
 * part never leaves the database, the state-dir lock or tmux open behind it. Closing twice closes once.
 * Steps that return no promise run at once, one after the other, before `disposeAll` returns: an owner
 * whose parts close synchronously is closed when the call returns.
 */

export interface DisposalFailure {
  /** The step that failed, as it was named when deferred. */
  step: string;
  error: unknown;
}

export class DisposalError extends AggregateError {
  constructor(readonly failures: DisposalFailure[]) {
    super(
      failures.map((f) => f.error),
      `closing failed at ${failures.map((f) => `${f.step} (${f.error instanceof Error ? f.error.message : String(f.error)})`).join(', ')}`,
    );
    this.name = 'DisposalError';
  }
}

export class Disposals {
  private readonly steps: Array<{ step: string; dispose: () => unknown }> = [];
  private disposing: Promise<void> | null = null;
  private started = false;

  /** Closes `dispose` with the others, before everything deferred earlier. */
  defer(step: string, dispose: () => unknown): void {
    if (this.started) throw new Error(`cannot defer ${step}: already closing`);
    this.steps.push({ step, dispose });
  }

  get closing(): boolean {
    return this.started;
  }

  /**
   * Runs every step, last deferred first, each once. `onFailure` hears of each failing step as it
   * happens; the promise rejects with a DisposalError listing them all once every step has run.
   */
  disposeAll(onFailure?: (failure: DisposalFailure) => void): Promise<void> {
    if (this.started) return this.disposing ?? Promise.resolve();
    this.started = true;
    this.disposing = (async () => {
      const failures: DisposalFailure[] = [];
      for (const { step, dispose } of this.steps.reverse()) {
        try {
          const closing = dispose();
          if (isPromiseLike(closing)) await closing;
        } catch (error) {
          failures.push({ step, error });
          onFailure?.({ step, error });
        }
      }
      if (failures.length > 0) throw new DisposalError(failures);
    })();
    return this.disposing;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
