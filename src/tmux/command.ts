/**
 * Encoding of commands written to a tmux control-mode client. Every argument is wrapped in double
 * quotes with `\`, `"` and `$` escaped, so user text (quotes, `#`, `;`, braces, `~`, UTF-8) reaches
 * tmux verbatim. A line break cannot be carried this way: callers send such text through a paste buffer.
 */
export function quoteArg(arg: string): string {
  if (/[\r\n]/.test(arg)) {
    throw new Error('a tmux control-mode argument cannot hold a line break');
  }
  return `"${arg.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** One command line: the subcommand name stays bare, every argument is quoted. */
export function commandLine(subcommand: string, args: readonly string[]): string {
  return [subcommand, ...args.map(quoteArg)].join(' ');
}
