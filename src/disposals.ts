/**
 * What a long-lived owner has opened, closed in reverse when it closes. Every step runs even when an
 * earlier one fails: a failing step is reported and the next still closes, so one stuck or broken
 * part never leaves the database, the state-dir lock or tmux open behind it. Closing twice closes once.
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

  /** Closes `dispose` with the others, before everything deferred earlier. */
  defer(step: string, dispose: () => unknown): void {
    if (this.disposing) throw new Error(`cannot defer ${step}: already closing`);
    this.steps.push({ step, dispose });
  }

  get closing(): boolean {
    return this.disposing !== null;
  }

  /**
   * Runs every step, last deferred first, each once. `onFailure` hears of each failing step as it
   * happens; the promise rejects with a DisposalError listing them all once every step has run.
   */
  disposeAll(onFailure?: (failure: DisposalFailure) => void): Promise<void> {
    this.disposing ??= (async () => {
      const failures: DisposalFailure[] = [];
      for (const { step, dispose } of this.steps.reverse()) {
        try {
          await dispose();
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
