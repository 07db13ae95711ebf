/**
 * The one place Aegis's data becomes tmux arguments. tmux is a second interpreter: it expands formats
 * (`#{…}`, and runs the shell command in `#(…)`) in some arguments, such as window names and `-c`
 * directories, and reads an argument that starts with `-` as a flag. So a command is built from what
 * tmux 3.3a does with each of its arguments (checked by experiment), and the builder promises:
 *
 * - operands (text to type, a program's argv, option values) always come after `--`;
 * - a string in a place tmux format-expands is escaped (`#` → `##`), so it arrives exactly as given;
 *   only a `Format`, a template Aegis itself wrote, reaches such a place unescaped;
 * - a `Format` anywhere tmux does not expand, a flag tmux does not know for that subcommand, or a NUL
 *   is refused when the command is built, never sent.
 *
 * A built command is then written either as a control-mode command line (every argument quoted) or as
 * the argument array of a tmux process; neither is ever seen by a shell.
 */

/** A format template written by Aegis: tmux expands it. Interpolated values are escaped. */
export class Format {
  private constructor(readonly template: string) {}

  /** `format\`#{pane_id} ${x}\``: the literal parts are the template, every `${…}` is data. */
  static of(strings: TemplateStringsArray, ...values: Array<string | number>): Format {
    return new Format(strings.reduce((out, part, i) => out + part + (i < values.length ? escapeFormat(String(values[i])) : ''), ''));
  }
}

export const format = Format.of;

export type Arg = string | Format;

/**
 * What tmux does with each subcommand's arguments: `flags` in getopt style (a letter followed by `:`
 * takes a value), `expands` the flags whose value tmux format-expands, and whether operands are formats.
 * Flags that make tmux expand other arguments (`send-keys -F`, `set-option -F`) are left out on purpose.
 */
const SPECS = {
  'attach-session': { flags: 'c:dEf:rt:x', expands: 'c', operands: 'data' },
  'capture-pane': { flags: 'ab:CeE:JNpPqS:Tt:', expands: '', operands: 'data' },
  'delete-buffer': { flags: 'b:', expands: '', operands: 'data' },
  'display-message': { flags: 'aCc:d:IlNpt:F:v', expands: 'F', operands: 'format' },
  'has-session': { flags: 't:', expands: '', operands: 'data' },
  'kill-window': { flags: 'at:', expands: '', operands: 'data' },
  'list-panes': { flags: 'asF:f:t:', expands: 'Ff', operands: 'data' },
  'new-session': { flags: 'Ac:dDe:EF:f:n:Ps:t:x:Xy:', expands: 'cFns', operands: 'data' },
  'new-window': { flags: 'abc:de:F:kn:PSt:', expands: 'cFn', operands: 'data' },
  'paste-buffer': { flags: 'db:prs:t:', expands: '', operands: 'data' },
  'refresh-client': { flags: 'A:B:cC:Df:F:lLRSt:U', expands: 'B', operands: 'data' },
  'save-buffer': { flags: 'ab:', expands: '', operands: 'format' },
  'send-keys': { flags: 'HlMN:Rt:X', expands: '', operands: 'data' },
  'set-buffer': { flags: 'ab:t:n:w', expands: '', operands: 'data' },
  'set-environment': { flags: 'hgrt:u', expands: '', operands: 'data' },
  'set-option': { flags: 'agopqst:uUw', expands: '', operands: 'data' },
  'show-environment': { flags: 'hgst:', expands: '', operands: 'data' },
} as const satisfies Record<string, { flags: string; expands: string; operands: 'data' | 'format' }>;

export type Subcommand = keyof typeof SPECS;

declare const built: unique symbol;

/** A tmux command whose arguments are already encoded for tmux; only `tmuxCommand` makes one. */
export interface TmuxCommand {
  readonly subcommand: Subcommand;
  readonly args: readonly string[];
  readonly [built]: true;
}

/**
 * Builds a command: `flags` are flag tokens (`-d`, `-wg`), each flag that takes a value followed by
 * it; `operands` come after `--`.
 */
export function tmuxCommand(subcommand: Subcommand, flags: readonly Arg[] = [], operands: readonly Arg[] = []): TmuxCommand {
  const spec = SPECS[subcommand];
  const args: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const token = flags[i];
    if (typeof token !== 'string' || !/^-[A-Za-z]+$/.test(token)) {
      throw new Error(`tmux ${subcommand}: expected a flag, got ${describe(token)}`);
    }
    args.push(token);
    const letters = token.slice(1);
    for (const [position, letter] of [...letters].entries()) {
      const at = spec.flags.indexOf(letter);
      if (at === -1) throw new Error(`tmux ${subcommand}: flag -${letter} is not one Aegis may use`);
      if (spec.flags[at + 1] !== ':') continue;
      const value = flags[i + 1];
      if (position !== letters.length - 1 || value === undefined) throw new Error(`tmux ${subcommand}: flag -${letter} needs a value`);
      args.push(encode(subcommand, value, spec.expands.includes(letter)));
      i++;
    }
  }
  if (operands.length > 0) {
    args.push('--');
    for (const operand of operands) args.push(encode(subcommand, operand, spec.operands === 'format'));
  }
  return { subcommand, args } as unknown as TmuxCommand;
}

/** `#` → `##`: what tmux's format expansion turns back into the text given. */
export function escapeFormat(text: string): string {
  return text.replaceAll('#', '##');
}

function encode(subcommand: string, value: Arg, expanded: boolean): string {
  if (value instanceof Format) {
    if (!expanded) throw new Error(`tmux ${subcommand} does not expand a format there: ${value.template}`);
    return checked(value.template);
  }
  return checked(expanded ? escapeFormat(value) : value);
}

function checked(arg: string): string {
  if (arg.includes('\0')) throw new Error('a tmux argument cannot hold a NUL character');
  return arg;
}

function describe(token: Arg | undefined): string {
  if (token === undefined) return 'nothing';
  return JSON.stringify(token instanceof Format ? token.template : token);
}

/** The command as a tmux process's arguments (after the global `-L <socket>`). */
export function commandArgv(command: TmuxCommand): string[] {
  return [command.subcommand, ...command.args];
}

/** The command as one control-mode command line: the subcommand bare, every argument quoted. */
export function commandLine(command: TmuxCommand): string {
  return [command.subcommand, ...command.args.map(quoteArg)].join(' ');
}

/**
 * One argument for tmux's command parser: wrapped in double quotes with `\`, `"` and `$` escaped,
 * and control characters (line breaks included) written as octal escapes, which the parser turns
 * back into the bytes. So quotes, `#`, `;`, braces, `~`, UTF-8 and several lines arrive verbatim.
 */
export function quoteArg(arg: string): string {
  const escaped = checked(arg)
    .replace(/[\\"$]/g, (c) => `\\${c}`)
    .replace(/[\x01-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return `"${escaped}"`;
}
