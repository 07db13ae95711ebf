/**
 * What can go wrong when talking to the daemon, as two typed errors: the daemon answered with the
 * contract's error envelope (ApiError, carrying status, code and message), or it could not be reached
 * at all (DaemonUnreachableError). Callers decide exit codes and wording from these, never from text.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class DaemonUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the Aegis daemon at ${url} (${reason}); is it running? Start it with \`aegis serve\` or set --url / AEGIS_URL`);
    this.name = 'DaemonUnreachableError';
  }
}

/** Builds an ApiError from a non-2xx response whose body may or may not be the error envelope. */
export function apiErrorFrom(status: number, statusText: string, body: string): ApiError {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const error = parsed.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      const details = typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : undefined;
      return new ApiError(status, error.code, error.message, details);
    }
  } catch {
    // not JSON: something other than Aegis answered (a proxy, another server on the port)
  }
  const excerpt = body.trim().slice(0, 200);
  return new ApiError(status, `HTTP_${status}`, `the server answered ${status} ${statusText}${excerpt ? `: ${excerpt}` : ''}`);
}

/** Why fetch failed, from the network error it wraps (ECONNREFUSED, ENOTFOUND, a timeout...). */
export function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out';
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
