import { describe, expect, it } from 'vitest';
import { normalizePrompt, promptMatches } from './prompt-match.js';

describe('promptMatches', () => {
  it('matches identical text', () => {
    expect(promptMatches('fix the "bug" $(now)', 'fix the "bug" $(now)')).toBe(true);
  });

  it('sees through the wrapper Claude puts around a large paste', () => {
    const sent = 'line 1\nline 2\nline 3';
    const recorded = '\n\n<pasted_content id="56f6">\nline 1\nline 2\nline 3\n</pasted_content id="56f6">\n';
    expect(normalizePrompt(recorded)).toBe(sent);
    expect(promptMatches(recorded, sent)).toBe(true);
  });

  it('treats CRLF and LF alike', () => {
    expect(promptMatches('a\nb', 'a\r\nb')).toBe(true);
  });

  it('does not match different text', () => {
    expect(promptMatches('hello', 'goodbye')).toBe(false);
    expect(promptMatches('', 'x')).toBe(false);
  });
});
