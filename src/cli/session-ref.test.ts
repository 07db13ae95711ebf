import { describe, expect, it } from 'vitest';
import type { Session } from '../client/types.js';
import { CliError, ExitCode } from './exit-codes.js';
import { matchSession } from './session-ref.js';

const session = (id: string, name: string) => ({ id, name }) as Session;
const sessions = [
  session('2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11', 'fix-login'),
  session('2b0c8000-0000-4000-8000-000000000000', 'docs'),
  session('8c1f0000-0000-4000-8000-000000000000', 'release'),
];

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CliError ? err.exitCode : undefined;
  }
  return undefined;
}

describe('matchSession', () => {
  it('finds a session by a unique id prefix, ignoring case', () => {
    expect(matchSession(sessions, '8C1F').name).toBe('release');
    expect(matchSession(sessions, '2b0c7').name).toBe('fix-login');
  });

  it('finds a session by its exact name when no id starts with the text', () => {
    expect(matchSession(sessions, 'docs').id).toBe(sessions[1]!.id);
  });

  it('refuses an ambiguous prefix as bad usage, naming the candidates', () => {
    expect(() => matchSession(sessions, '2b0c')).toThrow(/matches 2 sessions: 2b0c7c9e \(fix-login\), 2b0c8000 \(docs\)/);
    expect(codeOf(() => matchSession(sessions, '2b0c'))).toBe(ExitCode.USAGE);
  });

  it('reports an unknown reference as not found', () => {
    expect(() => matchSession(sessions, 'ffff')).toThrow('no session matches "ffff"');
    expect(codeOf(() => matchSession(sessions, 'ffff'))).toBe(ExitCode.NOT_FOUND);
  });

  it('refuses an empty reference', () => {
    expect(codeOf(() => matchSession(sessions, ' '))).toBe(ExitCode.USAGE);
  });
});
