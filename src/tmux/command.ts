/**
 * Encoding of commands written to a tmux control-mode client. Every argument is wrapped in double
 * quotes with `\`, `"` and `$` escaped, and control characters (line breaks included) written as
 * octal escapes, which tmux's parser turns back into the bytes: user text (quotes, `#`, `;`, braces,
 * `~`, UTF-8, several lines) reaches tmux verbatim, and nothing of it is ever seen by a shell.
 */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new Error('a tmux argument cannot hold a NUL character');
  const escaped = arg
    .replace(/[\\"$]/g, (c) => `\\${c}`)
    .replace(/[\x01-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return `"${escaped}"`;
}

/** One command line: the subcommand name stays bare, every argument is quoted. */
export function commandLine(subcommand: string, args: readonly string[]): string {
  return [subcommand, ...args.map(quoteArg)].join(' ');
}
