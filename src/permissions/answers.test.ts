import { describe, expect, it } from 'vitest';
import { questionsOf } from '../claude/hook-answers.js';
import { answersFor } from './answers.js';

const input = { questions: [{ question: 'Which database?', header: 'DB', options: [{ label: 'SQLite', description: 'Embedded' }, { label: 'Postgres', description: 'Server' }], multiSelect: false }] };

describe('answersFor', () => {
  const questions = questionsOf(input);
  it('picks an option by 0-based index', () => {
    expect(answersFor(questions, { optionIndex: 1 })).toEqual({ 'Which database?': 'Postgres' });
  });
  it('picks an option by its label in any case, or passes free text', () => {
    expect(answersFor(questions, { answer: 'postgres' })).toEqual({ 'Which database?': 'Postgres' });
    expect(answersFor(questions, { answer: 'MySQL, please' })).toEqual({ 'Which database?': 'MySQL, please' });
  });
  it('refuses an index out of range with the valid range', () => {
    expect(() => answersFor(questions, { optionIndex: 2 })).toThrow(/0-1/);
  });
});
