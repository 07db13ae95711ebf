/**
 * Typed errors with stable codes. The core throws these; the HTTP layer maps them once to the
 * error envelope of the /v1 contract. Codes are listed in docs/errors.md and never reused.
 */
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CSRF_TOKEN_INVALID'
  | 'NOT_FOUND'
  | 'SESSION_NOT_FOUND'
  | 'MEMORY_DISABLED'
  | 'MEMORY_NOT_FOUND'
  | 'MEMORY_VALUE_TOO_LARGE'
  | 'MEMORY_FULL'
  | 'PERMISSION_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'KEY_REVOKED'
  | 'SESSION_EXITED'
  | 'SESSION_NOT_READY'
  | 'SESSION_BUSY'
  | 'NOTHING_PENDING'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'WORKDIR_NOT_ALLOWED'
  | 'ENV_NOT_ALLOWED'
  | 'MAX_SESSIONS'
  | 'TMUX_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'EXPECTATION_FAILED'
  | 'RATE_LIMITED'
  | 'BUDGET_EXCEEDED'
  | 'SHUTTING_DOWN'
  | 'DASHBOARD_NOT_BUILT'
  | 'INTERNAL';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CSRF_TOKEN_INVALID: 403,
  NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  MEMORY_DISABLED: 404,
  MEMORY_NOT_FOUND: 404,
  MEMORY_VALUE_TOO_LARGE: 413,
  MEMORY_FULL: 409,
  PERMISSION_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  KEY_REVOKED: 409,
  SESSION_EXITED: 409,
  SESSION_NOT_READY: 409,
  SESSION_BUSY: 409,
  NOTHING_PENDING: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  WORKDIR_NOT_ALLOWED: 403,
  ENV_NOT_ALLOWED: 400,
  MAX_SESSIONS: 503,
  TMUX_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  EXPECTATION_FAILED: 417,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 429,
  SHUTTING_DOWN: 503,
  DASHBOARD_NOT_BUILT: 503,
  INTERNAL: 500,
};

export class AegisError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AegisError';
    this.status = STATUS_BY_CODE[code];
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
