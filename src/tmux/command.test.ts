import { describe, expect, it } from 'vitest';
import { commandLine, quoteArg } from './command.js';

describe('quoteArg', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['$(rm -rf /) `x` $HOME', '"\\$(rm -rf /) `x` \\$HOME"'],
    ['back\\slash', '"back\\\\slash"'],
    ["it's #1; {a} ~", '"it\'s #1; {a} ~"'],
    ['héllo ✓ 🚀', '"héllo ✓ 🚀"'],
  ])('quotes %j so tmux reads it back verbatim', (input, expected) => {
    expect(quoteArg(input)).toBe(expected);
  });

  it('refuses a line break, which control mode cannot carry', () => {
    expect(() => quoteArg('a\nb')).toThrow(/line break/);
  });
});

describe('commandLine', () => {
  it('leaves the subcommand bare and quotes every argument', () => {
    expect(commandLine('send-keys', ['-t', '%3', '-l', 'x y'])).toBe('send-keys "-t" "%3" "-l" "x y"');
  });
});
