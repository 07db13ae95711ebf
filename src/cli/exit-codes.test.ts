import { describe, expect, it } from 'vitest';
import { ApiError, DaemonUnreachableError } from '../client/errors.js';
import { CliError, ExitCode, UsageError, describeError, exitCodeFor } from './exit-codes.js';

describe('exitCodeFor', () => {
  it.each([
    [new ApiError(404, 'SESSION_NOT_FOUND', 'no session'), ExitCode.NOT_FOUND],
    [new ApiError(409, 'SESSION_EXITED', 'exited'), ExitCode.CONFLICT],
    [new ApiError(401, 'UNAUTHORIZED', 'no'), ExitCode.AUTH],
    [new ApiError(403, 'FORBIDDEN', 'no'), ExitCode.AUTH],
    [new ApiError(400, 'INVALID_REQUEST', 'bad'), ExitCode.ERROR],
    [new ApiError(503, 'MAX_SESSIONS', 'full'), ExitCode.ERROR],
    [new DaemonUnreachableError('http://127.0.0.1:1', 'ECONNREFUSED'), ExitCode.UNREACHABLE],
    [new UsageError('wrong'), ExitCode.USAGE],
    [new CliError('gone', ExitCode.NOT_FOUND), ExitCode.NOT_FOUND],
    [new Error('boom'), ExitCode.ERROR],
  ])('maps %s to %i', (err, code) => {
    expect(exitCodeFor(err)).toBe(code);
  });
});

describe('describeError', () => {
  it('adds the API error code to the message', () => {
    expect(describeError(new ApiError(404, 'SESSION_NOT_FOUND', 'no session 8c1f'))).toBe('no session 8c1f (SESSION_NOT_FOUND)');
  });

  it('keeps a multi-line message on one line', () => {
    expect(describeError(new Error('invalid configuration:\n  AEGIS_PORT: bad\n  AEGIS_HOST: bad'))).toBe('invalid configuration: AEGIS_PORT: bad; AEGIS_HOST: bad');
  });
});
