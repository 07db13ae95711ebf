import { describe, expect, it } from 'vitest';
import { TypedEcho, type EchoTmux } from './typed-echo.js';

/** A tmux that hands the echo's listener the bytes a test prints, and counts demands held. */
function fakeTmux() {
  let listener: ((bytes: Buffer) => void) | null = null;
  let demands = 0;
  const tmux: EchoTmux = {
    onPaneBytes: (_pane, bytes) => {
      listener = bytes;
      return () => (listener = null);
    },
    wantOutput: () => {
      demands++;
      return () => demands--;
    },
  };
  return { tmux, print: (text: string | Buffer) => listener?.(Buffer.isBuffer(text) ? text : Buffer.from(text)), demands: () => demands, listening: () => listener !== null };
}

describe('TypedEcho', () => {
  it('sees a line drawn with colours, cursor moves for its blanks, and escapes and characters cut between pieces', async () => {
    const { tmux, print } = fakeTmux();
    const echo = new TypedEcho(tmux, '%1');
    const seen = echo.until('Summarise the notes ✓ for me', 60_000);
    print('\x1b[?25l\x1b[12;3H\x1b[38;5;');
    print('231mSummarise\x1b[1');
    print('Cthe\x1b[1Cnotes ');
    const check = Buffer.from('✓ for me\x1b]0;title\x07');
    print(check.subarray(0, 1));
    expect(echo.shows('Summarise the notes ✓ for me')).toBe(false);
    print(check.subarray(1));
    expect(await seen).toBe(true);
    echo.close();
  });

  it('does not take text printed before it was armed, nor another text, for the line', async () => {
    const { tmux, print } = fakeTmux();
    print('hello there');
    const echo = new TypedEcho(tmux, '%1');
    print('hello the');
    expect(echo.shows('hello there')).toBe(false);
    echo.close();
  });

  it('wants the pane output while armed, and gives it back and ends its waits when closed', async () => {
    const { tmux, demands, listening } = fakeTmux();
    const echo = new TypedEcho(tmux, '%1');
    expect([demands(), listening()]).toEqual([1, true]);
    const waiting = echo.until('never printed', 60_000);
    echo.close();
    echo.close();
    expect(await waiting).toBe(false);
    expect([demands(), listening()]).toEqual([0, false]);
  });
});
