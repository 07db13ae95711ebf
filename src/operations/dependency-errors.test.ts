import { describe, expect, it } from 'vitest';
import { TmuxError } from '../tmux/tmux-error.js';
import { translateDependencyError } from './dependency-errors.js';

describe('translateDependencyError', () => {
  it("answers 409 SESSION_EXITED when the session's window is gone", () => {
    const err = translateDependencyError(TmuxError.fromOutput('send-keys', "can't find pane: %3"));
    expect(err).toMatchObject({ code: 'SESSION_EXITED', status: 409, message: expect.stringContaining("can't find pane") });
  });

  it('answers 503 TMUX_UNAVAILABLE, with tmux\'s own words, for any other tmux failure', () => {
    expect(translateDependencyError(TmuxError.fromOutput('new-window', 'no server running on /tmp/tmux-0/x'))).toMatchObject({ code: 'TMUX_UNAVAILABLE', status: 503, message: 'tmux new-window failed: no server running on /tmp/tmux-0/x' });
    expect(translateDependencyError(new TmuxError('set-buffer', 'failed', 'too big'))).toMatchObject({ code: 'TMUX_UNAVAILABLE', status: 503 });
  });

  it('leaves errors it does not know to the error handler', () => {
    expect(translateDependencyError(new Error('boom'))).toBeUndefined();
  });
});
