import { describe, expect, it } from 'vitest';
import { formatAge, formatTable, oneLine, plural, shortId } from './output.js';

describe('terminal formatting', () => {
  it('aligns table columns to the widest cell and leaves the last column unpadded', () => {
    expect(formatTable(['ID', 'NAME', 'AGE'], [['2b0c7c9e', 'a', '5s'], ['8c1f0000', 'longer-name', '3m']])).toEqual(
      ['ID        NAME         AGE', '2b0c7c9e  a            5s', '8c1f0000  longer-name  3m'],
    );
  });

  it('keeps each table row on one line and aligned when a cell holds a line break or an escape', () => {
    expect(formatTable(['ID', 'WORKDIR', 'AGE'], [['2b0c7c9e', '/w/a\n{"id":"x"}', '5s'], ['8c1f0000', '/w/\x1b]0;t\x07', '3m']])).toEqual([
      'ID        WORKDIR           AGE',
      '2b0c7c9e  /w/a\\n{"id":"x"}  5s',
      '8c1f0000  /w/\\x1b]0;t\\x07   3m',
    ]);
  });

  it('says how long ago a time was in its largest whole unit', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(formatAge('2026-01-01T23:59:18Z', now)).toBe('42s');
    expect(formatAge('2026-01-01T23:55:00Z', now)).toBe('5m');
    expect(formatAge('2026-01-01T21:00:00Z', now)).toBe('3h');
    expect(formatAge('2025-12-30T00:00:00Z', now)).toBe('3d');
    expect(formatAge('2026-01-03T00:00:00Z', now)).toBe('0s');
    expect(formatAge('not a date', now)).toBe('?');
  });

  it('flattens text to one bounded line', () => {
    expect(oneLine('first\n  second')).toBe('first ⏎ second');
    expect(oneLine('abcdefghij', 5)).toBe('abcd…');
  });

  it('shortens ids and counts things', () => {
    expect(shortId('2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11')).toBe('2b0c7c9e');
    expect(plural(1, 'attempt')).toBe('1 attempt');
    expect(plural(3, 'attempt')).toBe('3 attempts');
  });
});
