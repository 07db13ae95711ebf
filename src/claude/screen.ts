/**
 * Claude Code's terminal screen, read as text: a pure parser from a captured screen to what Claude
 * is showing (a start-up dialog, a permission prompt, a question, a turn in progress, or the idle
 * prompt). Hooks report most changes first; the screen is the fallback and the only source for the
 * dialogs hooks do not report. Checked against real screens saved in test/fixtures/screens.
 *
 * The screen is untrusted input: Claude shows model output, file contents and typed prompts, so any
 * words can appear on it, a dialog's words included. A dialog is therefore recognised only by its
 * whole structure where Claude draws it, never by words found somewhere on the screen. What this
 * relies on (Claude Code 2.1.330):
 * - Claude draws its live region at the bottom of what it has rendered: the prompt box (between two
 *   rules) and its footer, or a dialog in their place. The transcript is above it. Below the live
 *   region there are only blank lines, so the last non-blank line is the live region's last line.
 * - Claude's own rules start at column 0 and span the pane: `─` above a dialog and around the prompt
 *   box, `╌` around the preview of what a tool will do. Whatever Claude shows from text it was given
 *   (a reply, a prompt, a command, a file) is indented, inside a dialog as in the transcript.
 * - Each dialog ends with its own footer line, directly under its options.
 */

export interface ScreenOption {
  index: number;
  label: string;
  description?: string;
  selected: boolean;
}

/**
 * A permission dialog's main input (the command, the path, the URL) as the screen shows it. `whole`
 * only when the screen proves it is the tool's entire input: one short line of plain text that
 * cannot have been cut, wrapped or joined with another.
 */
export interface ScreenSubject {
  text: string;
  whole: boolean;
}

export type ScreenState =
  | { kind: 'trust_dialog' }
  | { kind: 'api_key_dialog' }
  | { kind: 'bypass_dialog' }
  | {
      kind: 'permission';
      title: string;
      /** The tool the title names, when Aegis knows the title. */
      tool: string | null;
      detail: string;
      subject: ScreenSubject;
      question: string;
      options: ScreenOption[];
    }
  | { kind: 'question'; header: string; question: string; options: ScreenOption[] }
  /** A turn in progress; `input` is what sits in the prompt box meanwhile (text queued behind the turn). */
  | { kind: 'working'; input: string }
  | { kind: 'idle'; input: string }
  | { kind: 'unknown' };

/** A captured screen: its lines, the last non-blank one, and the width of Claude's own rules. */
interface Screen {
  lines: string[];
  last: number;
  ruleWidth: number;
}

export function parseScreen(text: string): ScreenState {
  const lines = text.replace(/\r/g, '').split('\n').map((line) => line.trimEnd());
  let last = lines.length - 1;
  while (last >= 0 && !lines[last]) last--;
  if (last < 0) return { kind: 'unknown' };
  // Claude's rules span the pane, and nothing on screen is wider: the longest rule at column 0 is
  // the pane's width. Shorter runs of `─` are text.
  const ruleWidth = Math.max(0, ...lines.filter((line) => /^─+$/.test(line)).map((line) => line.length));
  const screen: Screen = { lines, last, ruleWidth: ruleWidth >= 20 ? ruleWidth : Infinity };
  return startupDialog(screen) ?? questionDialog(screen) ?? permissionDialog(screen) ?? promptBox(screen) ?? { kind: 'unknown' };
}

const isRule = (s: Screen, line: string | undefined) => line?.length === s.ruleWidth && /^─+$/.test(line);
const isDashedRule = (s: Screen, line: string | undefined) => line?.length === s.ruleWidth && /^╌+$/.test(line);

/** The nearest of Claude's `─` rules above line `i`, or -1. */
function ruleAbove(s: Screen, i: number): number {
  for (let j = i - 1; j >= 0; j--) if (isRule(s, s.lines[j])) return j;
  return -1;
}

/** The nearest non-blank line above line `i`, or -1. */
function textAbove(s: Screen, i: number): number {
  for (let j = i - 1; j >= 0; j--) if (s.lines[j]) return j;
  return -1;
}

// ── Start-up dialogs ──────────────────────────────────────────────────────────────────────────────

const STARTUP_DIALOGS = [
  { kind: 'trust_dialog', title: 'Accessing workspace:', choices: ['No, exit', 'Yes, I trust this folder'] },
  { kind: 'api_key_dialog', title: 'Detected a custom API key in your environment', choices: ['Yes', 'No (recommended)'] },
  { kind: 'bypass_dialog', title: 'WARNING: Claude Code running in Bypass Permissions mode', choices: ['No, exit', 'Yes, I accept'] },
] as const;

/**
 * A start-up dialog: a rule, its title on the next line, … its two choices (one marked `❯`) and
 * `Enter to confirm · Esc to cancel` as the last line.
 */
function startupDialog(s: Screen): ScreenState | null {
  if (s.lines[s.last]!.trim() !== 'Enter to confirm · Esc to cancel') return null;
  const lastChoice = textAbove(s, s.last);
  const choiceLines = [s.lines[lastChoice - 1], s.lines[lastChoice]];
  const choices = choiceLines.map((line) => /^ +(❯ )?(\S.*)$/.exec(line ?? ''));
  if (choices.some((c) => !c) || choices.filter((c) => c![1]).length !== 1) return null;
  const top = ruleAbove(s, lastChoice - 1);
  const title = /^ +(\S.*)$/.exec(s.lines[top + 1] ?? '')?.[1];
  if (top === -1 || !title) return null;
  const dialog = STARTUP_DIALOGS.find((d) => d.title === title && d.choices.every((label, i) => choices[i]![2] === label));
  return dialog ? { kind: dialog.kind } : null;
}

// ── Numbered options ──────────────────────────────────────────────────────────────────────────────

interface OptionLayout {
  /** A numbered option: its `❯` mark, number and label. */
  option: RegExp;
  /** A line that continues the option above (its description, or its label wrapped). */
  more: RegExp;
  /** Whether the continuation is a description (else part of the label). */
  describes: boolean;
}

/** Permission dialogs indent options by one column; a long label wraps under itself. */
const PERMISSION_OPTIONS: OptionLayout = { option: /^ (❯| ) (\d+)\. (\S.*)$/, more: /^ {6}(\S.*)$/, describes: false };
/** Questions put options at column 0 and each description under its option. */
const QUESTION_OPTIONS: OptionLayout = { option: /^(❯| ) (\d+)\. (\S.*)$/, more: /^ {5}(\S.*)$/, describes: true };

/**
 * The block of numbered options that ends at line `end`: numbered from 1 without a gap, exactly one
 * marked `❯`. Returns null when the lines there are not such a block.
 */
function optionsEndingAt(s: Screen, end: number, layout: OptionLayout, allowRule: boolean): { start: number; options: ScreenOption[] } | null {
  let start = end + 1;
  while (start > 0) {
    const line = s.lines[start - 1]!;
    if (!(layout.option.test(line) || layout.more.test(line) || (allowRule && isRule(s, line)))) break;
    start--;
  }
  const options: ScreenOption[] = [];
  for (let i = start; i <= end; i++) {
    const line = s.lines[i]!;
    const numbered = layout.option.exec(line);
    const more = layout.more.exec(line);
    if (numbered) {
      options.push({ index: Number(numbered[2]), label: numbered[3]!, selected: numbered[1] === '❯' });
    } else if (more && options.length > 0) {
      const option = options[options.length - 1]!;
      if (layout.describes) option.description = option.description ? `${option.description} ${more[1]}` : more[1]!;
      else option.label = `${option.label} ${more[1]}`;
    } else if (!isRule(s, line) || options.length === 0) {
      // Only a rule may stand between options: questions draw one before their extra choices.
      return null;
    }
  }
  if (options.length < 2 || options.some((o, i) => o.index !== i + 1) || options.filter((o) => o.selected).length !== 1) return null;
  return { start, options };
}

// ── Questions ─────────────────────────────────────────────────────────────────────────────────────

/**
 * AskUserQuestion (one question): a rule, `☐ header` on the next line, the question, numbered
 * options with descriptions, and `Enter to select · ↑/↓ to navigate · Esc to cancel` as the last line.
 */
function questionDialog(s: Screen): ScreenState | null {
  if (s.lines[s.last]!.trim() !== 'Enter to select · ↑/↓ to navigate · Esc to cancel') return null;
  const block = optionsEndingAt(s, textAbove(s, s.last), QUESTION_OPTIONS, true);
  if (!block) return null;
  const top = ruleAbove(s, block.start);
  const header = /^ [☐☒✔] (\S.*)$/.exec(s.lines[top + 1] ?? '');
  if (top === -1 || !header) return null;
  const question = s.lines.slice(top + 2, block.start).map((l) => l.trim()).filter(Boolean).join(' ');
  if (!question) return null;
  return { kind: 'question', header: header[1]!, question, options: block.options };
}

// ── Permission dialogs ────────────────────────────────────────────────────────────────────────────

const FETCH_LAST_OPTION = 'No, and tell Claude what to do differently (esc)';

/**
 * A permission dialog: a rule, the title on the next line, what the tool will do (with its preview
 * between two `╌` rules), `Do you want to …?`, options numbered from 1 with Yes… first and No… last,
 * and `Esc to cancel · Tab to amend` as the last line. The fetch dialog has no footer: its last
 * option, `No, and tell Claude what to do differently (esc)`, is the last line.
 */
function permissionDialog(s: Screen): ScreenState | null {
  const footer = s.lines[s.last]!.trim() === 'Esc to cancel · Tab to amend';
  const block = optionsEndingAt(s, footer ? textAbove(s, s.last) : s.last, PERMISSION_OPTIONS, false);
  if (!block) return null;
  const { options } = block;
  if (!/^Yes\b/.test(options[0]!.label) || !/^No\b/.test(options[options.length - 1]!.label)) return null;
  if (!footer && options[options.length - 1]!.label !== FETCH_LAST_OPTION) return null;

  // The question sits right above the options (wrapped, in a narrow pane, under itself).
  let askAt = block.start - 1;
  while (askAt >= 0 && /^ \S/.test(s.lines[askAt]!) && !s.lines[askAt]!.startsWith(' Do you want to ')) askAt--;
  const question = s.lines.slice(Math.max(askAt, 0), block.start).map((l) => l.trim()).join(' ');
  if (askAt < 0 || !/^Do you want to .+\?$/.test(question)) return null;

  const top = ruleAbove(s, askAt);
  const titleLine = s.lines[top + 1] ?? '';
  if (top === -1 || !/^ \S/.test(titleLine)) return null;
  const title = titleLine.trim();
  const body = s.lines.slice(top + 2, askAt);
  const detail = body.filter((l) => l && !isDashedRule(s, l)).map((l) => l.trim()).join('\n');
  const tool = DIALOG_TOOLS.find((d) => d.title.test(title)) ?? null;
  return {
    kind: 'permission',
    title,
    tool: tool?.tool ?? null,
    detail,
    subject: tool ? tool.subject(preview(s, body), body, s) : { text: detail, whole: false },
    question,
    options,
  };
}

/** The lines between the dialog's two `╌` rules, or null when it has not exactly two. */
function preview(s: Screen, body: string[]): string[] | null {
  const rules = body.flatMap((line, i) => (isDashedRule(s, line) ? [i] : []));
  if (rules.length !== 2) return null;
  return body.slice(rules[0]! + 1, rules[1]!);
}

/**
 * Whether one preview line is all of its text: Claude puts a `│` gutter before a command that is
 * long or has several lines and wraps long lines at spaces, so a whole line is a single line with no
 * gutter, shorter than the pane, with no `…` and nothing but printable ASCII (nothing that could
 * hide or stand for other text).
 */
function wholeLine(s: Screen, lines: string[] | null, pattern: RegExp): string | null {
  if (lines?.length !== 1 || lines[0]!.length >= s.ruleWidth - 1) return null;
  const text = pattern.exec(lines[0]!)?.[1];
  return text !== undefined && /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(text) ? text : null;
}

/** Dialog titles Aegis knows, the tool each names, and where that tool's main input is shown. */
const DIALOG_TOOLS: Array<{ title: RegExp; tool: string; subject: (preview: string[] | null, body: string[], s: Screen) => ScreenSubject }> = [
  { title: /^Bash command$/, tool: 'Bash', subject: (p, _body, s) => commandSubject(s, p) },
  { title: /^Read file$/, tool: 'Read', subject: (p, _body, s) => readSubject(s, p) },
  // File dialogs show the path relative to the workDir, never the tool's own input.
  { title: /^Create file$/, tool: 'Write', subject: (_p, body) => ({ text: body.find(Boolean)?.trim() ?? '', whole: false }) },
  { title: /^(Edit|Update) file$/, tool: 'Edit', subject: (_p, body) => ({ text: body.find(Boolean)?.trim() ?? '', whole: false }) },
  { title: /^Fetch$/, tool: 'WebFetch', subject: (p) => ({ text: /^ url: (\S+)/.exec(p?.[0] ?? '')?.[1] ?? '', whole: false }) },
  // Not seen on this version's screens; named as earlier versions showed it.
  { title: /^Web search/i, tool: 'WebSearch', subject: (_p, body) => ({ text: body.find(Boolean)?.trim() ?? '', whole: false }) },
];

function commandSubject(s: Screen, lines: string[] | null): ScreenSubject {
  if (!lines) return { text: '', whole: false };
  // A gutter line (` │ …`) is never whole: `│` is not ASCII.
  const whole = wholeLine(s, lines, /^ (.+)$/);
  if (whole !== null) return { text: whole, whole: true };
  return { text: lines.map((l) => l.replace(/^ (│ ?)?/, '')).join('\n'), whole: false };
}

function readSubject(s: Screen, lines: string[] | null): ScreenSubject {
  const whole = wholeLine(s, lines, /^ Read\((.+)\)$/);
  if (whole !== null) return { text: whole, whole: true };
  return { text: (lines ?? []).map((l) => l.trim()).join('\n').replace(/^Read\(|\)$/g, ''), whole: false };
}

// ── The prompt box ────────────────────────────────────────────────────────────────────────────────

/**
 * The prompt box: the last two rules with `❯ ` (or `!` in shell mode) opening the first line between
 * them, the footer below. `esc to interrupt` in the last line means a turn is in progress.
 */
function promptBox(s: Screen): ScreenState | null {
  const bottom = ruleAbove(s, s.last + 1);
  const top = ruleAbove(s, bottom);
  if (top === -1) return null;
  const box = s.lines.slice(top + 1, bottom);
  // `❯` (or `!`) is followed by a no-break space.
  if (!/^[❯!](\s|$)/.test(box[0] ?? '')) return null;
  const input = box.map((line, i) => (i === 0 ? line.replace(/^[❯!]\s?/, '') : line.replace(/^ {2}/, ''))).join('\n').trimEnd();
  if (/esc to interrupt/i.test(s.lines[s.last]!) && s.last > bottom) return { kind: 'working', input };
  return { kind: 'idle', input };
}

/**
 * The screen with what changes on its own removed: the spinner's glyph and clock, and the rotating
 * tips. Two captures with the same fingerprint mean Claude made no progress between them; the token
 * count on the spinner line is kept, because it moves only while the model streams.
 */
export function screenFingerprint(screen: string): string {
  return screen
    .split('\n')
    .filter((line) => !/^\s*⎿\s+Tip:/.test(line))
    .map((line) => line.replace(/^(\s*)\S(\s+\S[^\n]*…)/u, '$1*$2').replace(/\b\d+(?:\.\d+)?[smh]\b/g, '#'))
    .join('\n');
}

/** An API error Claude is retrying, as its spinner line shows it: `✻ 529 Overloaded · retrying in 8s · attempt 3/10`. */
export interface ApiRetry {
  message: string;
  attempt: number;
  attempts: number;
  retryInSeconds: number;
}

const API_RETRY = /^\s*\S\s+(.*?)\s+·\s+retrying in (\d+)s\s+·\s+attempt (\d+)\/(\d+)\s*$/mu;

/** The API error Claude is retrying, or null. Only ever a hint for a person: the screen is not trusted. */
export function apiRetryOnScreen(screen: string): ApiRetry | null {
  const match = API_RETRY.exec(screen);
  if (!match) return null;
  return { message: match[1]!, retryInSeconds: Number(match[2]), attempt: Number(match[3]), attempts: Number(match[4]) };
}
