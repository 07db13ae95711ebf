/**
 * Claude Code's terminal screen, read as text: a pure parser from a captured screen to what Claude
 * is showing (a dialog, a permission prompt, a question, a turn in progress, or the idle prompt).
 * Hooks report most changes first; the screen is the fallback and the only source for the dialogs
 * hooks do not report. Checked against real screens saved in test/fixtures/screens.
 */

export interface ScreenOption {
  index: number;
  label: string;
  description?: string;
  selected: boolean;
}

export type ScreenState =
  | { kind: 'trust_dialog' }
  | { kind: 'api_key_dialog' }
  | { kind: 'bypass_dialog' }
  | { kind: 'permission'; title: string; detail: string; question: string; options: ScreenOption[] }
  | { kind: 'question'; header: string; question: string; options: ScreenOption[] }
  | { kind: 'working' }
  | { kind: 'idle'; input: string }
  | { kind: 'unknown' };

const RULE = /^\s*─{20,}\s*$/;
const NUMBERED_OPTION = /^\s*(❯)?\s*(\d+)\.\s+(.*?)\s*$/;

export function parseScreen(screen: string): ScreenState {
  const lines = screen.replace(/\r/g, '').split('\n');
  const text = lines.join('\n');

  if (text.includes('Is this a project you created or one you trust?') || /Yes, I trust this folder/.test(text)) return { kind: 'trust_dialog' };
  if (text.includes('Detected a custom API key in your environment')) return { kind: 'api_key_dialog' };
  if (text.includes('running in Bypass Permissions mode') && text.includes('Yes, I accept')) return { kind: 'bypass_dialog' };

  const question = parseQuestion(lines);
  if (question) return question;
  const permission = parsePermission(lines);
  if (permission) return permission;

  const footer = footerLine(lines);
  if (footer !== null && /esc to interrupt/i.test(footer)) return { kind: 'working' };
  const input = inputBox(lines);
  if (input !== null) return { kind: 'idle', input };
  return { kind: 'unknown' };
}

/** The last non-blank line: Claude's status footer when the prompt box is shown. */
function footerLine(lines: string[]): string | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.trim()) return lines[i]!;
  }
  return null;
}

/** The text in the prompt box: the lines between the last two horizontal rules, `❯ ` stripped. */
function inputBox(lines: string[]): string | null {
  const rules = lines.flatMap((line, i) => (RULE.test(line) ? [i] : []));
  if (rules.length < 2) return null;
  const [start, end] = rules.slice(-2) as [number, number];
  const box = lines.slice(start + 1, end);
  // `❯` is the prompt; `!` replaces it in shell mode.
  if (!/^[❯!]/.test(box[0] ?? '')) return null;
  return box
    .map((line, i) => (i === 0 ? line.replace(/^[❯!]\s?/, '') : line.replace(/^ {2}/, '')))
    .join('\n')
    .trimEnd();
}

function numberedOptions(lines: string[], from: number): { options: ScreenOption[]; end: number } {
  const options: ScreenOption[] = [];
  let i = from;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const match = NUMBERED_OPTION.exec(line);
    if (match) {
      options.push({ index: Number(match[2]), label: match[3]!, selected: match[1] === '❯' });
    } else if (RULE.test(line)) {
      continue; // Claude draws a rule between the answers and its extra choices
    } else if (options.length > 0 && line.trim() && /^\s{4,}/.test(line)) {
      const last = options[options.length - 1]!;
      last.description = last.description ? `${last.description} ${line.trim()}` : line.trim();
    } else if (options.length > 0 && line.trim()) {
      break;
    }
  }
  return { options, end: i };
}

/** A permission dialog: a tool title, what it will do, "Do you want to ...?" and numbered Yes/No options. */
function parsePermission(lines: string[]): ScreenState | null {
  const askAt = findLastIndex(lines, (line) => /^\s*Do you want to .*\?\s*$/.test(line));
  if (askAt === -1) return null;
  const { options } = numberedOptions(lines, askAt + 1);
  if (!options.some((o) => /^Yes\b/.test(o.label)) || !options.some((o) => /^No\b/.test(o.label))) return null;

  // The dialog starts below the last rule above the question; its first non-blank line is the title.
  let top = askAt - 1;
  while (top >= 0 && !RULE.test(lines[top]!)) top--;
  const body = lines.slice(top + 1, askAt).map((l) => l.trim()).filter(Boolean);
  const [title = '', ...detail] = body;
  return { kind: 'permission', title, detail: detail.join('\n'), question: lines[askAt]!.trim(), options };
}

/** AskUserQuestion: a `☐ header`, the question, numbered options with descriptions, "Enter to select". */
function parseQuestion(lines: string[]): ScreenState | null {
  const hintAt = findLastIndex(lines, (line) => /Enter to select/.test(line) && /Esc to cancel/.test(line));
  if (hintAt === -1) return null;
  const headerAt = findLastIndex(lines.slice(0, hintAt), (line) => /^\s*[☐☒✔]\s+\S/.test(line));
  if (headerAt === -1) return null;
  const firstOption = lines.findIndex((line, i) => i > headerAt && NUMBERED_OPTION.test(line));
  if (firstOption === -1 || firstOption > hintAt) return null;
  const question = lines.slice(headerAt + 1, firstOption).map((l) => l.trim()).filter(Boolean).join(' ');
  const { options } = numberedOptions(lines.slice(0, hintAt), firstOption);
  const header = lines[headerAt]!.trim().replace(/^[☐☒✔]\s+/, '');
  return { kind: 'question', header, question, options };
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
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
