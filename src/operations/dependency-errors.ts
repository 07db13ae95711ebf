/**
 * What a failure of one of the daemon's own dependencies means to a caller of its API, as a typed
 * error. The HTTP layer maps only typed errors; the composition root hands it this translation, so the
 * transport never learns what tmux is.
 */
import { AegisError } from '../errors.js';
import { TmuxError } from '../tmux/tmux-error.js';

/** The typed error for `err`, or undefined when it is not a dependency's failure this module knows. */
export function translateDependencyError(err: Error): AegisError | undefined {
  if (!(err instanceof TmuxError)) return undefined;
  if (err.kind === 'target-missing') {
    // The session's window went away under the request; its exit is being recorded.
    return new AegisError('SESSION_EXITED', `the session's tmux window no longer exists (${err.message}); the session has exited or is ending`);
  }
  return new AegisError('TMUX_UNAVAILABLE', err.message);
}
