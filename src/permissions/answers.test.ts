import { describe, expect, it } from 'vitest';
import type { ScreenOption } from '../claude/screen.js';
import { answersFor, hookResponse, permissionOption, questionsOf, screenQuestion } from './answers.js';

const input = { questions: [{ question: 'Which database?', header: 'DB', options: [{ label: 'SQLite', description: 'Embedded' }, { label: 'Postgres', description: 'Server' }], multiSelect: false }] };

describe('questionsOf', () => {
  it('reads the questions of an AskUserQuestion input and ignores junk', () => {
    expect(questionsOf(input)).toEqual([{ question: 'Which database?', header: 'DB', options: [{ label: 'SQLite', description: 'Embedded' }, { label: 'Postgres', description: 'Server' }], multiSelect: false }]);
    expect(questionsOf({ questions: [null, { nope: 1 }] })).toEqual([]);
    expect(questionsOf('x')).toEqual([]);
  });
});

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

describe('hookResponse', () => {
  it('allows, applying the suggestions when always is asked', () => {
    expect(hookResponse({ behavior: 'allow', by: 'api', always: true }, {}, [{ type: 'addRules' }])).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow', updatedPermissions: [{ type: 'addRules' }] } },
    });
  });
  it('denies with the message Claude will see', () => {
    expect(hookResponse({ behavior: 'deny', by: 'api', message: 'not now' }, {}, [])).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'not now' } },
    });
  });
  it('answers a question through the tool input', () => {
    const body = hookResponse({ behavior: 'allow', by: 'api', answers: { 'Which database?': 'Postgres' } }, input, []);
    expect(body).toMatchObject({ hookSpecificOutput: { decision: { behavior: 'allow', updatedInput: { questions: input.questions, answers: { 'Which database?': 'Postgres' } } } } });
  });
});

describe('permissionOption', () => {
  const options: ScreenOption[] = [
    { index: 1, label: 'Yes', selected: true },
    { index: 2, label: 'Yes, and always allow access to /srv/app from this project', selected: false },
    { index: 3, label: 'Yes, and switch to auto mode · auto mode handles these prompts for you', selected: false },
    { index: 4, label: 'No', selected: false },
  ];
  it('picks Yes, the remembering Yes for always, and No', () => {
    expect(permissionOption(options, { behavior: 'allow' })?.index).toBe(1);
    expect(permissionOption(options, { behavior: 'allow', always: true })?.index).toBe(2);
    expect(permissionOption(options, { behavior: 'deny' })?.index).toBe(4);
  });
  it('never picks an option that switches Claude to another mode', () => {
    const edit: ScreenOption[] = [options[0]!, { index: 2, label: 'Yes, and switch to accept edits (auto-approve file edits) for this session (shift+tab)', selected: false }, { index: 3, label: 'No', selected: false }];
    expect(permissionOption(edit, { behavior: 'allow', always: true })?.index).toBe(1);
  });
});

describe('screenQuestion', () => {
  it("drops Claude's own extra choices", () => {
    const options: ScreenOption[] = [
      { index: 1, label: 'SQLite', description: 'Pick SQLite', selected: true },
      { index: 2, label: 'Type something.', selected: false },
      { index: 3, label: 'Chat about this', selected: false },
    ];
    expect(screenQuestion('Which?', 'Q', options)).toEqual({ question: 'Which?', header: 'Q', options: [{ label: 'SQLite', description: 'Pick SQLite' }] });
  });
});
