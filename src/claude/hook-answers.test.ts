import { describe, expect, it } from 'vitest';
import { hookResponse, questionsOf } from './hook-answers.js';

const input = { questions: [{ question: 'Which database?', header: 'DB', options: [{ label: 'SQLite', description: 'Embedded' }, { label: 'Postgres', description: 'Server' }], multiSelect: false }] };

describe('questionsOf', () => {
  it('reads the questions of an AskUserQuestion input and ignores junk', () => {
    expect(questionsOf(input)).toEqual([{ question: 'Which database?', header: 'DB', options: [{ label: 'SQLite', description: 'Embedded' }, { label: 'Postgres', description: 'Server' }], multiSelect: false }]);
    expect(questionsOf({ questions: [null, { nope: 1 }] })).toEqual([]);
    expect(questionsOf('x')).toEqual([]);
  });
});

describe('hookResponse', () => {
  it('allows, applying the suggestions when always is asked', () => {
    expect(hookResponse({ behavior: 'allow', always: true }, {}, [{ type: 'addRules' }])).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow', updatedPermissions: [{ type: 'addRules' }] } },
    });
  });
  it("never applies a suggestion that would switch the session's permission mode", () => {
    const suggestions = [{ type: 'addDirectories', directories: ['/srv/app'] }, { type: 'setMode', mode: 'acceptEdits', destination: 'session' }];
    expect(hookResponse({ behavior: 'allow', always: true }, {}, suggestions)).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow', updatedPermissions: [suggestions[0]] } },
    });
  });
  it('denies with the message Claude will see', () => {
    expect(hookResponse({ behavior: 'deny', message: 'not now' }, {}, [])).toEqual({
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'not now' } },
    });
  });
  it('answers a question through the tool input', () => {
    const body = hookResponse({ behavior: 'allow', answers: { 'Which database?': 'Postgres' } }, input, []);
    expect(body).toMatchObject({ hookSpecificOutput: { decision: { behavior: 'allow', updatedInput: { questions: input.questions, answers: { 'Which database?': 'Postgres' } } } } });
  });
});
