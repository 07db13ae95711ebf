/**
 * The exit codes scripts can test (docs/cli.md lists them) and the one mapping from an error to its
 * code and its one-line message. Every command throws; only main.ts prints and exits.
 */
import { ApiError, DaemonUnreachableError } from '../client/errors.js';

export const ExitCode = {
  OK: 0,
  /** The API refused the request, or something failed at run time. */
  ERROR: 1,
  /** The command line was wrong. */
  USAGE: 2,
  /** Nothing answered at --url. */
  UNREACHABLE: 3,
  NOT_FOUND: 4,
  /** The session is in the wrong state (409). */
  CONFLICT: 5,
  /** Missing, bad or insufficient credentials (401/403). */
  AUTH: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI itself raises, with the exit code it deserves. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.ERROR,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
    this.name = 'UsageError';
  }
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof DaemonUnreachableError) return ExitCode.UNREACHABLE;
  if (err instanceof ApiError) {
    if (err.status === 404) return ExitCode.NOT_FOUND;
    if (err.status === 409) return ExitCode.CONFLICT;
    if (err.status === 401 || err.status === 403) return ExitCode.AUTH;
  }
  return ExitCode.ERROR;
}

/** One line for stderr: the API's message with its code, or the error's own message, never a stack. */
export function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // Multi-line messages (a config error lists each problem on its own line) become one line.
  const line = message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ').trim();
  return err instanceof ApiError ? `${line} (${err.code})` : line;
}
