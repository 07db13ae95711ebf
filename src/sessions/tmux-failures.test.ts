import { describe, expect, it } from 'vitest';
import { AegisError } from '../errors.js';
import { TmuxError } from '../tmux/tmux-error.js';
import { asLaunchError, asSessionError } from './tmux-failures.js';

describe("tmux's failures as the API states them", () => {
  it('says a session whose pane vanished has exited (409), not that tmux is down', () => {
    expect(asSessionError(new TmuxError('send-keys', 'target-missing', "can't find pane: %4"), 's1')).toMatchObject({ code: 'SESSION_EXITED', status: 409 });
  });

  it.each(['unavailable', 'failed'] as const)('says tmux is unavailable (503) when it is %s', (kind) => {
    expect(asSessionError(new TmuxError('send-keys', kind, 'no server running'), 's1')).toMatchObject({ code: 'TMUX_UNAVAILABLE', status: 503 });
    expect(asLaunchError(new TmuxError('new-window', kind, 'no server running'))).toMatchObject({ code: 'TMUX_UNAVAILABLE', status: 503 });
  });

  it('leaves anything that is not a tmux failure as it is: a defect stays a defect (500)', () => {
    const defect = new TypeError('newWindow needs a program and at least one argument');
    expect(asLaunchError(defect)).toBe(defect);
    expect(asSessionError(defect, 's1')).toBe(defect);
    const typed = new AegisError('SESSION_BUSY', 'busy');
    expect(asSessionError(typed, 's1')).toBe(typed);
  });
});
