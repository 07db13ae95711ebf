import { describe, expect, it } from 'vitest';
import { terminalJson, terminalLine } from './terminal-text.js';

const ESC = '\x1b';
const BEL = '\x07';

describe('terminalLine', () => {
  it.each([
    ['an OSC 52 clipboard write', `${ESC}]52;c;Y3VybCBldmlsIHwgc2g=${BEL}`, '\\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07'],
    ['a screen clear', `${ESC}[2J${ESC}[H`, '\\x1b[2J\\x1b[H'],
    ['a window title', `${ESC}]0;owned${BEL}`, '\\x1b]0;owned\\x07'],
    ['a line break and a carriage return', 'a\nb\rc', 'a\\nb\\rc'],
    ['C1 controls: CSI, OSC, string terminator', '\x9b2J\x9d0;t\x9c', '\\x9b2J\\x9d0;t\\x9c'],
    ['DEL, backspace and NUL', 'a\x7fb\x08c\x00', 'a\\x7fb\\x08c\\x00'],
    ['bidi overrides and isolates', 'x\u202eevil\u202c\u2066y\u2069', 'x\\u202eevil\\u202c\\u2066y\\u2069'],
    ['marks and invisible characters', '\u200ea\u200fb\u200bc\u2060d\ufeff', '\\u200ea\\u200fb\\u200bc\\u2060d\\ufeff'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
  ])('shows %s escaped', (_what, text, shown) => {
    expect(terminalLine(text)).toBe(shown);
  });

  it('leaves text a terminal only prints as it is: any script, emoji with joiners, tabs', () => {
    const text = 'héllo — 日本語 العربية שלום 👨‍👩‍👧 می‌خواهم\tend ~/work dir';
    expect(terminalLine(text)).toBe(text);
  });

  it('is idempotent: what it printed prints the same again', () => {
    const once = terminalLine(`${ESC}]52;c;x${BEL}\n\u202e\x9b`);
    expect(terminalLine(once)).toBe(once);
  });
});

describe('terminalJson', () => {
  const hostile = { text: `${ESC}]52;c;eA==${BEL}${ESC}[2J\x9b31m\u202eabc\u2028\n\x7f`, name: 'ok 日本 👍' };

  it('stays valid JSON holding the same value', () => {
    expect(JSON.parse(terminalJson(hostile))).toEqual(hostile);
    expect(JSON.parse(terminalJson(hostile, 2))).toEqual(hostile);
  });

  it('writes every control and spoofing character as a JSON escape', () => {
    const json = terminalJson(hostile);
    expect(json).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e\u2028]/);
    expect(json).toContain('\\u001b]52;c;eA==\\u0007\\u001b[2J\\u009b31m\\u202eabc\\u2028\\n\\u007f');
    expect(json).toContain('ok 日本 👍');
  });
});
