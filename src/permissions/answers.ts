/**
 * What a caller's answer to a question means: an option chosen by its 0-based index or by its label
 * (any case), or free text. Pure.
 */
import { AegisError } from '../errors.js';
import type { Question } from './broker.js';

export interface AnswerInput {
  answer?: string | undefined;
  optionIndex?: number | undefined;
}

/** The answer to each question asked at once (the same answer applies to every one of them). */
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
