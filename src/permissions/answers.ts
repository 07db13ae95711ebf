/**
 * Pure translations between Claude's permission and question requests and Aegis's decisions: the
 * questions in an AskUserQuestion input, the answer a caller gives, the hook response that carries a
 * decision back to Claude, and the keys that give it on the screen when no hook is waiting.
 */
import { AegisError } from '../errors.js';
import type { ScreenOption } from '../claude/screen.js';
import type { Decision, Question } from './broker.js';

export function questionsOf(toolInput: unknown): Question[] {
  const raw = (toolInput as { questions?: unknown } | null)?.questions;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((q): Question[] => {
    if (typeof q !== 'object' || q === null || typeof (q as Question).question !== 'string') return [];
    const { question, header, options, multiSelect } = q as Record<string, unknown>;
    return [{
      question: question as string,
      ...(typeof header === 'string' ? { header } : {}),
      options: Array.isArray(options)
        ? options.flatMap((o) => (typeof o?.label === 'string' ? [{ label: o.label as string, ...(typeof o.description === 'string' ? { description: o.description as string } : {}) }] : []))
        : [],
      ...(typeof multiSelect === 'boolean' ? { multiSelect } : {}),
    }];
  });
}

export interface AnswerInput {
  answer?: string | undefined;
  optionIndex?: number | undefined;
}

/**
 * The answer to each question: an option chosen by its 0-based index or by its label (any case),
 * or free text. The same answer applies to every question asked at once.
 */
export function answersFor(questions: Question[], input: AnswerInput): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const q of questions) {
    if (input.optionIndex !== undefined) {
      const option = q.options[input.optionIndex];
      if (!option) {
        throw new AegisError('INVALID_REQUEST', `optionIndex ${input.optionIndex} is out of range: the question has ${q.options.length} options (0-${q.options.length - 1})`, {
          issues: [{ path: 'optionIndex', message: `must be between 0 and ${q.options.length - 1}` }],
        });
      }
      answers[q.question] = option.label;
    } else {
      const text = input.answer ?? '';
      answers[q.question] = q.options.find((o) => o.label.toLowerCase() === text.trim().toLowerCase())?.label ?? text;
    }
  }
  return answers;
}

/** The body that answers Claude's PermissionRequest hook. */
export function hookResponse(decision: Decision, toolInput: unknown, suggestions: unknown[]): Record<string, unknown> {
  const body =
    decision.behavior === 'allow'
      ? {
          behavior: 'allow',
          ...(decision.always && suggestions.length > 0 ? { updatedPermissions: suggestions } : {}),
          ...(decision.answers ? { updatedInput: { ...(toolInput as object), answers: decision.answers } } : {}),
        }
      : { behavior: 'deny', message: decision.message ?? 'Denied through Aegis.' };
  return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: body } };
}

/**
 * The option to pick in a permission dialog on screen: "Yes", the first "Yes, and …" that remembers
 * the choice (not one that switches Claude's mode) for `always`, or "No".
 */
export function permissionOption(options: ScreenOption[], decision: Pick<Decision, 'behavior' | 'always'>): ScreenOption | undefined {
  if (decision.behavior === 'deny') return options.find((o) => /^No\b/.test(o.label));
  if (decision.always) {
    const remember = options.find((o) => /^Yes, and\b/.test(o.label) && !/switch|mode/i.test(o.label));
    if (remember) return remember;
  }
  return options.find((o) => /^Yes\b/.test(o.label));
}

/** What a question dialog on screen is asking, without Claude's own extra choices. */
export function screenQuestion(question: string, header: string, options: ScreenOption[]): Question {
  return {
    question,
    header,
    options: options.filter((o) => !/^(Type something\.?|Chat about this)$/.test(o.label)).map((o) => ({ label: o.label, ...(o.description ? { description: o.description } : {}) })),
  };
}
