import { describe, expect, it } from 'vitest';
import type { ScreenOption } from './screen.js';
import { lineToAwaitBeforeSubmit, permissionOption, promptBoxHolds, screenQuestion, typingActions } from './terminal-ui.js';

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

describe('lineToAwaitBeforeSubmit', () => {
  it('waits for the last line of any typed text, a single one too', () => {
    expect(lineToAwaitBeforeSubmit('Summarise the notes for me.')).toBe('Summarise the notes for me.');
    expect(lineToAwaitBeforeSubmit('first\nsecond\n\n')).toBe('second');
  });
  it('waits for nothing Claude shows otherwise: a paste, shell mode', () => {
    expect(lineToAwaitBeforeSubmit('x'.repeat(801))).toBeNull();
    expect(lineToAwaitBeforeSubmit('!ls')).toBeNull();
  });
  it('waits for a slash command as typed: Claude shows it in the prompt box, and shows it run only after', () => {
    expect(lineToAwaitBeforeSubmit('/compact')).toBe('/compact');
  });
  it('waits for the line as typed: tabs as spaces, a last backslash with its space', () => {
    expect(lineToAwaitBeforeSubmit('a\tb\\')).toBe('a    b\\ ');
  });
});

describe('typingActions', () => {
  it('types a tab as the four spaces Claude makes of a pasted one (typed, a tab is its completion key)', () => {
    expect(typingActions('a\tb')).toEqual([{ text: 'a    b' }]);
  });
  it('ends a text ending in a backslash with a space, so Enter submits instead of continuing the line', () => {
    expect(typingActions('path\\')).toEqual([{ text: 'path\\ ' }]);
    expect(typingActions('a\\\nb')).toEqual([{ text: 'a\\' }, { key: 'C-j' }, { text: 'b' }]);
  });
  it('pastes a leading question mark, which typed into an empty prompt opens the shortcuts help', () => {
    expect(typingActions('?')).toEqual([{ paste: '?' }]);
    expect(typingActions('? why')).toEqual([{ paste: '?' }, { text: ' why' }]);
    expect(typingActions('why?')).toEqual([{ text: 'why?' }]);
  });
});

describe('promptBoxHolds', () => {
  it('compares without the invisible characters the prompt box never draws', () => {
    expect(promptBoxHolds('ab bidi', 'a\u202eb bidi')).toBe(true);
    expect(promptBoxHolds('zerowidth', 'zero\u200bwidth\u200d')).toBe(true);
  });
});
