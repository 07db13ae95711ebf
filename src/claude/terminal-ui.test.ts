import { describe, expect, it } from 'vitest';
import type { ScreenOption } from './screen.js';
import { lineToAwaitBeforeSubmit, permissionOption, screenQuestion } from './terminal-ui.js';

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
  it('waits for nothing Claude shows otherwise: a paste, shell mode, a slash command', () => {
    expect(lineToAwaitBeforeSubmit('x'.repeat(801))).toBeNull();
    expect(lineToAwaitBeforeSubmit('!ls')).toBeNull();
    expect(lineToAwaitBeforeSubmit('/compact')).toBeNull();
  });
});
