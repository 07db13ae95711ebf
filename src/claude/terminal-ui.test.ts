import { describe, expect, it } from 'vitest';
import type { ScreenOption } from './screen.js';
import { erasing, lineToAwaitBeforeSubmit, permissionOption, promptBoxHolds, screenQuestion, typingActions } from './terminal-ui.js';

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
  it('waits for nothing after a paste: its Enter follows at once', () => {
    expect(lineToAwaitBeforeSubmit('Summarise the notes for me.')).toBeNull();
    expect(lineToAwaitBeforeSubmit('first\nsecond\n\n')).toBeNull();
    expect(lineToAwaitBeforeSubmit('x'.repeat(801))).toBeNull();
    expect(lineToAwaitBeforeSubmit('!ls')).toBeNull();
  });
  it('waits for a slash command as typed: Claude shows it in the prompt box, and shows it run only after', () => {
    expect(lineToAwaitBeforeSubmit('/compact')).toBe('/compact');
    expect(lineToAwaitBeforeSubmit('/compact keep\tthe API\\')).toBe('/compact keep    the API\\ ');
  });
  it('waits for the last line when a line names an image file (it is typed)', () => {
    expect(lineToAwaitBeforeSubmit('Look at this:\n/srv/shots/a.PNG\nand say what it shows')).toBe('and say what it shows');
    expect(lineToAwaitBeforeSubmit('!file a.png')).toBeNull();
  });
});

describe('typingActions', () => {
  it('pastes each line in one bracketed paste, Ctrl-J between them, so the Enter after them cannot become part of a paste', () => {
    expect(typingActions('Summarise the notes for me.')).toEqual([{ paste: 'Summarise the notes for me.' }]);
    expect(typingActions('one\ntwo\n\nfour\nfive')).toEqual([
      { paste: 'one' }, { key: 'C-j' }, { paste: 'two' }, { key: 'C-j' }, { key: 'C-j' }, { paste: 'four' }, { key: 'C-j' }, { paste: 'five' },
    ]);
    expect(typingActions('? why')).toEqual([{ paste: '? why' }]);
    expect(typingActions('!ls -l')).toEqual([{ paste: '!ls -l' }]);
  });
  it('pastes the typed form: a tab as the four spaces Claude makes of it, a last backslash with a space so Enter submits', () => {
    expect(typingActions('a\tb')).toEqual([{ paste: 'a    b' }]);
    expect(typingActions('path\\')).toEqual([{ paste: 'path\\ ' }]);
    expect(typingActions('a\\\nb')).toEqual([{ paste: 'a\\' }, { key: 'C-j' }, { paste: 'b' }]);
  });
  it('pastes a long text whole and as it is (Claude shows a placeholder for it)', () => {
    const long = `${'x'.repeat(800)}\n\t\\`;
    expect(typingActions(long)).toEqual([{ paste: long }]);
  });
  it('types a line that names an image file, which pasted alone Claude would attach as an image', () => {
    expect(typingActions('Look at this:\n/srv/shots/a.png\n~/b.JPEG here')).toEqual([
      { paste: 'Look at this:' }, { key: 'C-j' }, { text: '/srv/shots/a.png' }, { key: 'C-j' }, { text: '~/b.JPEG here' },
    ]);
    expect(typingActions('a.pngx and b.pn')).toEqual([{ paste: 'a.pngx and b.pn' }]);
    // Typed into an empty prompt, `?` would open the shortcuts help.
    expect(typingActions('?a.png')).toEqual([{ paste: '?' }, { text: 'a.png' }]);
    expect(typingActions('x\n?a.png')).toEqual([{ paste: 'x' }, { key: 'C-j' }, { text: '?a.png' }]);
  });
  it('types a slash command, with Ctrl-J for its line breaks', () => {
    expect(typingActions('/compact')).toEqual([{ text: '/compact' }]);
    expect(typingActions('/compact keep\nthe API')).toEqual([{ text: '/compact keep' }, { key: 'C-j' }, { text: 'the API' }]);
  });
});

describe('erasing', () => {
  it('presses Backspace once per character and line break of a short paste, once for a long one (a placeholder)', () => {
    expect(erasing([{ paste: 'ab\nc🚀' }])).toEqual({ key: 'BSpace', times: 5 });
    expect(erasing([{ paste: 'x'.repeat(801) }])).toEqual({ key: 'BSpace', times: 1 });
    expect(erasing([{ text: '/compact' }, { key: 'C-j' }, { text: 'go' }])).toEqual({ key: 'BSpace', times: 11 });
    expect(erasing([{ key: 'Enter' }])).toBeNull();
  });
});

describe('promptBoxHolds', () => {
  it('compares without the invisible characters the prompt box never draws', () => {
    expect(promptBoxHolds('ab bidi', 'a\u202eb bidi')).toBe(true);
    expect(promptBoxHolds('zerowidth', 'zero\u200bwidth\u200d')).toBe(true);
  });
});
