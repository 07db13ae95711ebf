/**
 * Everything Aegis knows about driving Claude Code's terminal, as pure functions from what Claude
 * shows to the keys that act on it: how text is typed into the prompt (and how long text is pasted),
 * which keys submit, interrupt and erase, how a start-up dialog is answered, how a permission dialog
 * or question on the screen is answered with a decision, and what such a dialog asks for. Checked
 * against Claude Code 2.1.330 (see test/fixtures/screens); nothing outside src/claude knows a key or a
 * label of Claude's.
 */
import type { HookDecision, HookQuestion } from './hook-answers.js';
import type { ScreenOption, ScreenState } from './screen.js';

/** One step of input to a pane: literal text, a named key (pressed `times` times), or a bracketed paste. */
export type KeyAction = { text: string } | { key: string; times?: number } | { paste: string };

/**
 * Longest paste Claude shows in its prompt box as it is. Claude treats more than 800 characters
 * arriving at once as a paste it shows as a placeholder and records wrapped in <pasted_content> tags;
 * a shorter one arrives exactly as sent.
 */
export const PASTE_THRESHOLD = 800;

/** Submits the prompt. */
export const SUBMIT: KeyAction = { key: 'Enter' };
/** Stops the current turn or closes a dialog, as a person would. */
export const INTERRUPT: KeyAction = { key: 'Escape' };

/**
 * The keys that put `text` into Claude's prompt, without submitting it. Each line is one bracketed
 * paste, with Ctrl-J (a new line that does not submit) between them: Claude takes a bracketed paste
 * whole, so the Enter that follows at once is a submit, where typed keys and an Enter close behind
 * them reach Claude as one burst, which it reads as a paste with a line break in it. A line at a time,
 * because Claude records a paste of 4 or more lines wrapped in <pasted_content> tags; a paste of one
 * line shows in the prompt box as itself and arrives exactly. Claude turns bracketed paste on with its
 * first output, long before it shows a prompt. Lines are pasted in their typed form (see `typedForm`);
 * a leading `!` turns on shell mode, and a leading `?` is text, as typed into an empty prompt it
 * would not be. Typed, as a person would type them, and with Enter waiting until Claude shows them
 * (`lineToAwaitBeforeSubmit`): a slash command (Claude shows its command menu as it goes), and a line
 * that names an image file, which pasted alone Claude would attach as an image instead of text. Text
 * longer than `PASTE_THRESHOLD` is one paste, which Claude shows as a placeholder.
 */
export function typingActions(text: string): KeyAction[] {
  if (text.length > PASTE_THRESHOLD) return [{ paste: text }];
  const typed = typedLines(text);
  const put = (line: string, first: boolean): KeyAction[] => {
    if (!line) return [];
    if (!typed(line)) return [{ paste: line }];
    // Typed into an empty prompt, `?` opens the shortcuts help: it is pasted.
    return first && line.startsWith('?') ? [{ paste: '?' }, ...(line.length > 1 ? [{ text: line.slice(1) }] : [])] : [{ text: line }];
  };
  return typedForm(text)
    .split('\n')
    .flatMap((line, i): KeyAction[] => [...(i > 0 ? [{ key: 'C-j' }] : []), ...put(line, i === 0)]);
}

/** Which lines of `text` are typed rather than pasted: every line of a slash command, and a line that names an image. */
function typedLines(text: string): (line: string) => boolean {
  const command = isSlashCommand(text);
  return (line) => command || namesImage(line);
}

/**
 * A line that names an image file: pasted alone, a path to an image Claude can read becomes an
 * attached image (`[Image #1]`), not text (seen with an absolute path). Any line that mentions a file
 * with an image's extension is typed, paths or not, so no form of one is missed.
 */
function namesImage(line: string): boolean {
  return /\.(?:png|jpe?g|gif|webp|bmp|tiff?|heic|heif|avif|svg|ico)\b/i.test(line);
}

/**
 * Text as it is put into the prompt, to arrive as it was sent. A tab typed is Claude's completion key,
 * and pasted becomes four spaces, so tabs are given as those four spaces. A `\` just before Enter is
 * Claude's line continuation (Enter then adds a line instead of submitting), so a text ending in `\`
 * gets one space after it, which Claude trims from the prompt with any other trailing whitespace.
 */
export function typedForm(text: string): string {
  const spaced = text.replace(/\t/g, '    ');
  return spaced.endsWith('\\') ? `${spaced} ` : spaced;
}

/**
 * The keys that erase what `sent` may have put into the prompt: Backspace once per character and line
 * break (Claude may compose two keys into one character, never split one), once for a long paste
 * (Claude shows it as one placeholder). Backspace is harmless on an empty prompt, unlike Ctrl-C (twice
 * exits Claude) or Escape (interrupts a turn).
 */
export function erasing(sent: readonly KeyAction[]): KeyAction | null {
  let count = 0;
  for (const action of sent) {
    if ('paste' in action) count += action.paste.length > PASTE_THRESHOLD ? 1 : [...action.paste].length;
    else if ('text' in action) count += [...action.text].length;
    else if (action.key === 'C-j') count += 1;
  }
  return count > 0 ? { key: 'BSpace', times: count } : null;
}

/**
 * Claude reads a burst of typed keys as a paste, in which Enter is a line break (or, after one line,
 * a character it later removes) rather than a submit. Typed text and the Enter after it arrive as one
 * burst whenever Claude is busy for a moment. So when any line is typed (see `typingActions`), Enter
 * waits until Claude shows the end of the text. The line to wait for, if any: none when every line is
 * pasted, whose Enter follows at once, and none for a shell command (a leading `!`), which Claude
 * shows without its `!`.
 */
export function lineToAwaitBeforeSubmit(text: string): string | null {
  if (text.length > PASTE_THRESHOLD || text.startsWith('!')) return null;
  const lines = typedForm(text).split('\n');
  if (!lines.some(typedLines(text))) return null;
  return lines.filter((line) => line.trim() !== '').at(-1) ?? null;
}

/** Whether the prompt box shows `text` (wrapped at the screen's width) or Claude's placeholder for a paste. */
export function promptBoxHolds(box: string, text: string): boolean {
  if (/\[Pasted text #\d+/.test(box)) return true;
  const head = squash(text).slice(0, 40);
  return head.length > 0 && squash(box).includes(head);
}

/** Whether the prompt box is empty: nothing typed is in it (the only state in which typing again is safe). */
export function promptBoxEmpty(box: string): boolean {
  return squash(box) === '';
}

/** Whether the prompt box ends with `line` (the last typed line has been drawn). */
export function promptBoxShowsLine(box: string, line: string): boolean {
  return squash(box).includes(squash(line).slice(-40));
}

/** Whether `text` is a slash command: Claude runs it and shows it above the prompt, recording no prompt. */
export function isSlashCommand(text: string): boolean {
  return text.trimStart().startsWith('/');
}

/**
 * Text without its whitespace and invisible characters, to compare with the prompt box, which wraps
 * lines at the screen's width and draws no invisible character (or a replacement for one).
 */
function squash(text: string): string {
  return text.replace(/[\s\p{Cf}\uFE00-\uFE0F\uFFFD]+/gu, '');
}

export type StartupDialog = 'trust_dialog' | 'api_key_dialog' | 'bypass_dialog';

/**
 * The keys that get a session past a start-up dialog, or null when Aegis must leave it to a person:
 * the workspace is trusted (its workDir passed the allowed-roots check), the API key is the daemon's
 * own, and the bypass warning is accepted only for a session created in bypassPermissions mode.
 */
export function startupDialogAnswer(dialog: StartupDialog, permissionMode: string): KeyAction[] | null {
  switch (dialog) {
    case 'trust_dialog':
      return [{ key: 'Down' }, { key: 'Enter' }];
    case 'api_key_dialog':
      return [{ key: 'Up' }, { key: 'Enter' }];
    case 'bypass_dialog':
      return permissionMode === 'bypassPermissions' ? [{ key: 'Down' }, { key: 'Enter' }] : null;
  }
}

/** What identifies a dialog on screen (its kind and text), so one dialog is never taken for another. */
export function dialogIdentity(screen: ScreenState): string | null {
  if (screen.kind === 'permission') return askIdentity({ kind: 'permission', title: screen.title, detail: screen.detail });
  if (screen.kind === 'question') return askIdentity({ kind: 'question', title: screen.question, detail: '' });
  return null;
}

/** The identity of the dialog a screen request was read from (see `dialogIdentity`). */
export function askIdentity(ask: Pick<ScreenAsk, 'kind' | 'title' | 'detail'>): string {
  return ask.kind === 'question' ? `q:${ask.title}` : `p:${ask.title}\n${ask.detail}`;
}

/** What a permission dialog or question on the screen asks for, as a request of Aegis's. */
export interface ScreenAsk {
  kind: 'permission' | 'question';
  toolName: string;
  toolInput: Record<string, unknown>;
  questions?: HookQuestion[];
  /** The dialog's title (or, for a question, the question), what it says below it, and its options as shown. */
  title: string;
  detail: string;
  options: string[];
  /** Whether the screen shows the tool's whole input: if not, what a rule would allow may not be what runs. */
  inputComplete: boolean;
}

export function screenAsk(screen: ScreenState): ScreenAsk | null {
  if (screen.kind === 'question') {
    const question = screenQuestion(screen.question, screen.header, screen.options);
    return {
      kind: 'question',
      toolName: 'AskUserQuestion',
      toolInput: { questions: [question] },
      questions: [question],
      title: screen.question,
      detail: '',
      options: screen.options.map((o) => o.label),
      inputComplete: true,
    };
  }
  if (screen.kind !== 'permission') return null;
  const toolName = screen.tool ?? screen.title;
  return {
    kind: 'permission',
    toolName,
    toolInput: screenToolInput(toolName, screen),
    title: screen.title,
    detail: screen.detail,
    options: screen.options.map((o) => o.label),
    inputComplete: screen.subject.whole,
  };
}

/** What a dialog shows of the tool's main input, in the shape of the tool's input (the screen is all there is). */
function screenToolInput(toolName: string, screen: Extract<ScreenState, { kind: 'permission' }>): Record<string, unknown> {
  const { text } = screen.subject;
  if (toolName === 'Bash') return { command: text };
  if (toolName === 'Write' || toolName === 'Edit' || toolName === 'Read') return { file_path: text };
  if (toolName === 'WebFetch') return { url: text };
  return { detail: screen.detail };
}

/** Claude's own extra choices under a question: not answers the model offered. */
const OWN_QUESTION_CHOICES = /^(Type something\.?|Chat about this)$/;
const FREE_TEXT_CHOICE = /^Type something/;

/** What a question dialog on screen is asking, without Claude's own extra choices. */
export function screenQuestion(question: string, header: string, options: ScreenOption[]): HookQuestion {
  return {
    question,
    header,
    options: options.filter((o) => !OWN_QUESTION_CHOICES.test(o.label)).map((o) => ({ label: o.label, ...(o.description ? { description: o.description } : {}) })),
  };
}

/**
 * The option to pick in a permission dialog: "Yes", the first "Yes, and …" that remembers the
 * choice (never one that switches Claude's mode) for `always`, or "No".
 */
export function permissionOption(options: ScreenOption[], decision: Pick<HookDecision, 'behavior' | 'always'>): ScreenOption | undefined {
  if (decision.behavior === 'deny') return options.find((o) => /^No\b/.test(o.label));
  if (decision.always) {
    const remember = options.find((o) => /^Yes, and\b/.test(o.label) && !/switch|mode/i.test(o.label));
    if (remember) return remember;
  }
  return options.find((o) => /^Yes\b/.test(o.label));
}

/** One step of answering a dialog: keys, then (before the next step) what the screen must show. */
export interface AnswerStep {
  keys: KeyAction[];
  /** The next step waits until the screen text satisfies this (keys typed before Claude redraws are misread). */
  awaitScreen?: (screen: string) => boolean;
}

/**
 * The keys that give `decision` to the dialog on the screen, as a person would, or null when the
 * screen shows no dialog. A "No" (or Escape) leaves Claude asking what to do instead: `deniedInDialog`
 * says so, for the rejection's message to be typed after. Free text for a question goes in three
 * steps: its option's digit (Claude turns the option into a text field), the text, Enter; each waits
 * for Claude to show the one before, since a burst of keys would reach the list and Enter would pick
 * the first option.
 */
export function dialogAnswer(screen: ScreenState, decision: HookDecision): { steps: AnswerStep[]; deniedInDialog: boolean } | null {
  if (screen.kind === 'question') {
    const answer = Object.values(decision.answers ?? {})[0];
    if (decision.behavior === 'deny' || answer === undefined) return { steps: [{ keys: [INTERRUPT] }], deniedInDialog: false };
    const chosen = screen.options.find((o) => o.label === answer);
    if (chosen) return { steps: [{ keys: [{ text: String(chosen.index) }] }], deniedInDialog: false };
    const free = screen.options.find((o) => FREE_TEXT_CHOICE.test(o.label));
    if (!free) return null;
    const field = `❯ ${free.index}. `;
    return {
      steps: [
        { keys: [{ text: String(free.index) }], awaitScreen: (text) => text.split('\n').some((line) => line.startsWith(field)) },
        { keys: [{ text: answer }], awaitScreen: (text) => text.split('\n').some((line) => line.startsWith(field + answer.slice(0, 20))) },
        { keys: [SUBMIT] },
      ],
      deniedInDialog: false,
    };
  }
  if (screen.kind !== 'permission') return null;
  const option = permissionOption(screen.options, decision);
  const keys: KeyAction[] = option ? [{ text: String(option.index) }] : [decision.behavior === 'deny' ? INTERRUPT : SUBMIT];
  return { steps: [{ keys }], deniedInDialog: decision.behavior === 'deny' };
}
