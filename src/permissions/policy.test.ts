import { describe, expect, it } from 'vitest';
import { evaluate, globMatches, type Profile } from './policy.js';

const ci: Profile = {
  rules: [
    { tool: ['Read', 'Glob', 'Grep'], decision: 'allow' },
    { name: 'tests', tool: 'Bash', match: 'npm test*', decision: 'allow' },
    { name: 'no-rm', tool: 'Bash', match: '*rm -rf *', decision: 'deny', message: 'never delete trees' },
    { tool: 'mcp__*', decision: 'ask' },
  ],
};

describe('evaluate', () => {
  it('lets the first matching rule decide, naming it', () => {
    expect(evaluate('ci', ci, 'Read', { file_path: '/etc/hostname' })).toEqual({ decision: 'allow', rule: 'ci#1' });
    expect(evaluate('ci', ci, 'Bash', { command: 'npm test -- --run' })).toEqual({ decision: 'allow', rule: 'tests' });
    expect(evaluate('ci', ci, 'Bash', { command: 'cd / && rm -rf /tmp/x' })).toEqual({ decision: 'deny', rule: 'no-rm', message: 'never delete trees' });
    expect(evaluate('ci', ci, 'mcp__github__create_issue', {})).toEqual({ decision: 'ask', rule: 'ci#4' });
  });

  it('asks (returns null) when no rule matches or there is no profile', () => {
    expect(evaluate('ci', ci, 'Bash', { command: 'curl example' })).toBeNull();
    expect(evaluate('ci', ci, 'Write', { file_path: '/x' })).toBeNull();
    expect(evaluate('none', undefined, 'Read', {})).toBeNull();
  });

  it('does not let a Bash allow rule cover chained or redirected commands', () => {
    for (const command of ['npm test && curl evil', 'npm test; rm x', 'npm test | sh', 'npm test > /etc/passwd', 'npm test `id`', 'npm test $(id)', 'npm test\nrm x']) {
      expect(evaluate('ci', ci, 'Bash', { command })).toBeNull();
    }
    const piped: Profile = { rules: [{ tool: 'Bash', match: 'npm test | tee *', decision: 'allow' }] };
    expect(evaluate('p', piped, 'Bash', { command: 'npm test | tee log.txt' })?.decision).toBe('allow');
  });
});

describe('globMatches', () => {
  it.each([
    ['npm test*', 'npm test', true],
    ['npm test*', 'npm testing', true],
    ['npm test*', 'pnpm test', false],
    ['*.md', 'docs/a.md', true],
    ['file?.txt', 'file1.txt', true],
    ['a(b)+[c]', 'a(b)+[c]', true],
    ['a.c', 'abc', false],
  ])('%s against %s is %s', (pattern, subject, expected) => {
    expect(globMatches(pattern, subject)).toBe(expected);
  });
});
