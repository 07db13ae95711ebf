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

  it('writes line breaks and other control characters as octal escapes, so a command stays one line', () => {
    expect(quoteArg('a\nb\r\tc\u0001')).toBe('"a\\012b\\015\\011c\\001"');
  });

  it('refuses NUL, which tmux cannot carry', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
  });
});

describe('commandLine', () => {
  it('leaves the subcommand bare and quotes every argument', () => {
    expect(commandLine('send-keys', ['-t', '%3', '-l', 'x y'])).toBe('send-keys "-t" "%3" "-l" "x y"');
  });
});
