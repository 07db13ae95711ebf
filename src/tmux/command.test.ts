import { describe, expect, it } from 'vitest';
import { commandArgv, commandLine, format, quoteArg, tmuxCommand } from './command.js';

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

describe('tmuxCommand', () => {
  it('escapes # in every value tmux format-expands (window name, -c directory), and nowhere else', () => {
    const command = tmuxCommand('new-window', ['-d', '-n', '#(touch x) #{pane_id}', '-c', '/srv/#{y}', '-e', 'K=#(z)', '-t', '=aegis:'], ['sh', '#(a)']);
    expect(commandArgv(command)).toEqual(['new-window', '-d', '-n', '##(touch x) ##{pane_id}', '-c', '/srv/##{y}', '-e', 'K=#(z)', '-t', '=aegis:', '--', 'sh', '#(a)']);
  });

  it('escapes # in a display-message operand, which tmux expands, but not in text to type', () => {
    expect(commandArgv(tmuxCommand('display-message', ['-p'], ['#(x)']))).toEqual(['display-message', '-p', '--', '##(x)']);
    expect(commandArgv(tmuxCommand('send-keys', ['-t', '%1', '-l'], ['#(x) #{y}']))).toEqual(['send-keys', '-t', '%1', '-l', '--', '#(x) #{y}']);
  });

  it('ends the flags with -- before any operand, so text that starts with - stays text', () => {
    expect(commandArgv(tmuxCommand('send-keys', ['-t', '%1', '-l'], ['-v is a flag']))).toEqual(['send-keys', '-t', '%1', '-l', '--', '-v is a flag']);
    expect(commandArgv(tmuxCommand('set-buffer', ['-b', 'b'], ['- item']))).toEqual(['set-buffer', '-b', 'b', '--', '- item']);
    expect(commandArgv(tmuxCommand('kill-window', ['-t', '@1']))).toEqual(['kill-window', '-t', '@1']);
  });

  it('passes a Format unescaped where tmux expands, with its interpolated values escaped', () => {
    const name = 'a#b';
    expect(commandArgv(tmuxCommand('list-panes', ['-F', format`#{pane_id} ${name}`]))).toEqual(['list-panes', '-F', '#{pane_id} a##b']);
  });

  it('refuses a Format where tmux would not expand it, an unknown flag, a missing value and NUL', () => {
    expect(() => tmuxCommand('send-keys', ['-t', '%1'], [format`#{pane_id}`])).toThrow(/does not expand/);
    expect(() => tmuxCommand('send-keys', ['-F', '-t', '%1'], ['x'])).toThrow(/-F is not one Aegis may use/);
    expect(() => tmuxCommand('send-keys', ['-t'])).toThrow(/needs a value/);
    expect(() => tmuxCommand('send-keys', ['x'])).toThrow(/expected a flag/);
    expect(() => tmuxCommand('send-keys', ['-t', '%1', '-l'], ['a\0b'])).toThrow(/NUL/);
  });
});

describe('commandLine', () => {
  it('leaves the subcommand bare and quotes every argument', () => {
    expect(commandLine(tmuxCommand('send-keys', ['-t', '%3', '-l'], ['x y']))).toBe('send-keys "-t" "%3" "-l" "--" "x y"');
  });
});
