import { describe, expect, it } from 'vitest';
import { paneOutputBytes } from './pane-output.js';

const line = (text: string) => Buffer.from(text, 'latin1');

describe('the bytes of a %output line', () => {
  it('turns octal escapes back into bytes and keeps every other byte as it came', () => {
    expect(paneOutputBytes(line('%output %3 hello\\015\\012')).toString('latin1')).toBe('hello\r\n');
    expect(paneOutputBytes(line('%output %3 \\033[31mred\\033[0m a\\134b')).toString('latin1')).toBe('\x1b[31mred\x1b[0m a\\b');
    // A backslash not followed by three octal digits is not an escape tmux wrote; it stays.
    expect(paneOutputBytes(line('%output %3 a\\9b\\01')).toString('latin1')).toBe('a\\9b\\01');
  });

  it('keeps raw UTF-8 bytes, split or whole, for a streaming decoder to join', () => {
    const euro = Buffer.from('€', 'utf8');
    const first = Buffer.concat([line('%output %12 price '), euro.subarray(0, 2)]);
    const second = Buffer.concat([line('%output %12 '), euro.subarray(2), line('5')]);
    expect(Buffer.concat([paneOutputBytes(first), paneOutputBytes(second)]).toString('utf8')).toBe('price €5');
  });

  it('reads the payload of %extended-output after its " : "', () => {
    expect(paneOutputBytes(line('%extended-output %7 1234 : x : y\\015')).toString('latin1')).toBe('x : y\r');
    expect(paneOutputBytes(line('%extended-output %7 0 : ')).length).toBe(0);
  });

  it('gives nothing for a line without a payload', () => {
    expect(paneOutputBytes(line('%output %3')).length).toBe(0);
    expect(paneOutputBytes(line('%extended-output %3 12')).length).toBe(0);
  });
});
