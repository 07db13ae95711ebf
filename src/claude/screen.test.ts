import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScreen, screenFingerprint } from './screen.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../test/fixtures/screens', `${name}.txt`), 'utf8');

describe('parseScreen on real Claude Code screens', () => {
  it.each([
    ['startup-idle', 'idle'],
    ['after-turn-idle', 'idle'],
    ['idle-long', 'idle'],
    ['bypass-idle', 'idle'],
    ['interrupted', 'idle'],
    ['api-error', 'idle'],
    ['hook-error', 'idle'],
    ['prompt-blocked', 'idle'],
    ['not-logged-in', 'idle'],
    ['ctrl-c-exit-hint', 'idle'],
    ['shortcuts-help', 'idle'],
    ['slash-menu', 'idle'],
    ['shell-mode-input', 'idle'],
    ['permission-denied-by-hook', 'idle'],
    ['large-paste', 'idle'],
    ['working', 'working'],
    ['api-retrying', 'working'],
    ['queued-while-working', 'working'],
    ['permission-bash', 'permission'],
    ['permission-edit', 'permission'],
    ['question', 'question'],
    ['trust-dialog', 'trust_dialog'],
    ['api-key-dialog', 'api_key_dialog'],
    ['bypass-dialog', 'bypass_dialog'],
    ['exited', 'unknown'],
  ])('reads %s as %s', (name, kind) => {
    expect(parseScreen(fixture(name)).kind).toBe(kind);
  });

  it('reads the Bash permission dialog: title, command, question and options', () => {
    const state = parseScreen(fixture('permission-bash'));
    expect(state).toMatchObject({
      kind: 'permission',
      title: 'Bash command',
      question: 'Do you want to proceed?',
    });
    if (state.kind !== 'permission') throw new Error('not a permission');
    expect(state.detail).toContain('echo hi > out.txt && cat out.txt');
    expect(state.options.map((o) => [o.index, o.label, o.selected])).toEqual([
      [1, 'Yes', true],
      [2, expect.stringMatching(/^Yes, and always allow access to /), false],
      [3, expect.stringMatching(/^Yes, and switch to auto mode/), false],
      [4, 'No', false],
    ]);
  });

  it('reads the file creation dialog', () => {
    expect(parseScreen(fixture('permission-edit'))).toMatchObject({ kind: 'permission', title: 'Create file', question: 'Do you want to create notes.txt?' });
  });

  it('reads a question with its options and their descriptions', () => {
    const state = parseScreen(fixture('question'));
    expect(state).toMatchObject({ kind: 'question', header: 'Question', question: 'Which database should I use?' });
    if (state.kind !== 'question') throw new Error('not a question');
    expect(state.options).toEqual([
      { index: 1, label: 'SQLite', description: 'Pick SQLite', selected: true },
      { index: 2, label: 'Postgres', description: 'Pick Postgres', selected: false },
      { index: 3, label: 'Type something.', selected: false },
      { index: 4, label: 'Chat about this', selected: false },
    ]);
  });

  it('reads what is typed in the prompt box', () => {
    expect(parseScreen(fixture('prompt-blocked'))).toEqual({ kind: 'idle', input: 'this prompt is blocked' });
    expect(parseScreen(fixture('startup-idle'))).toEqual({ kind: 'idle', input: '' });
    expect(parseScreen(fixture('shell-mode-input'))).toEqual({ kind: 'idle', input: 'echo shell' });
  });

  it('knows nothing of an empty or foreign screen', () => {
    expect(parseScreen('').kind).toBe('unknown');
    expect(parseScreen('$ ls\nfile.txt\n$ ').kind).toBe('unknown');
  });
});

describe('screenFingerprint', () => {
  const working = fixture('working');
  it("ignores the spinner's glyph and clock and the rotating tip", () => {
    const later = working.replace('* Warping… (1s', '✻ Warping… (14s').replace('Tip: Start small, ask Claude for a plan, and check its edits', 'Tip: Use /theme');
    expect(later).not.toBe(working);
    expect(screenFingerprint(later)).toBe(screenFingerprint(working));
  });

  it('changes when tokens stream or text appears', () => {
    expect(screenFingerprint(working.replace('↓ 18 tokens', '↓ 40 tokens'))).not.toBe(screenFingerprint(working));
    expect(screenFingerprint(working.replace('●\n', '● part 1 of 12.\n'))).not.toBe(screenFingerprint(working));
  });
});
