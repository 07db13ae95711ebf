import { describe, expect, it } from 'vitest';
import { deadPaneSignalled, deadPaneStatus, onlyDeadPaneNotice } from './pane-screen.js';

describe("tmux's dead-pane notice", () => {
  it('tells a screen tmux cleared from one that still shows what the program printed', () => {
    expect(onlyDeadPaneNotice('\n\nPane is dead (status 3, Wed Nov 25 14:34:29 2026)\n\n')).toBe(true);
    expect(onlyDeadPaneNotice('Unable to connect\n\nPane is dead (status 1, Wed Nov 25 14:34:29 2026)')).toBe(false);
    expect(onlyDeadPaneNotice('')).toBe(true);
  });

  it('reads the exit status from the notice', () => {
    expect(deadPaneStatus('x\nPane is dead (status 3, Wed Nov 25 14:34:29 2026)\n')).toBe(3);
    expect(deadPaneStatus('Pane is dead (signal 9, Wed Nov 25 14:34:29 2026)')).toBeNull();
    expect(deadPaneStatus('no notice here')).toBeNull();
  });

  it('says when a signal ended the process', () => {
    expect(deadPaneSignalled('Pane is dead (signal 9, Wed Nov 25 14:34:29 2026)')).toBe(true);
    expect(deadPaneSignalled('Pane is dead (status 1, Wed Nov 25 14:34:29 2026)')).toBe(false);
  });
});
