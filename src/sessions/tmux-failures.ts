/**
 * tmux's failures as the API states them, mapped once: a pane or window that no longer exists means
 * the session has ended (409 SESSION_EXITED); tmux that cannot be reached or refuses a command is
 * 503 TMUX_UNAVAILABLE. Anything else is not a tmux failure and is left as it is.
 */
import { AegisError } from '../errors.js';
import { TmuxError } from '../tmux/tmux-error.js';

export function asSessionError(err: unknown, sessionId: string): unknown {
  if (!(err instanceof TmuxError)) return err;
  if (err.kind === 'target-missing') {
    return new AegisError('SESSION_EXITED', `session ${sessionId} has no tmux pane any more (${err.detail}); it cannot take input`, { sessionId });
  }
  return new AegisError('TMUX_UNAVAILABLE', err.message, { subcommand: err.subcommand });
}

export function isPaneGone(err: unknown): boolean {
  return err instanceof TmuxError && err.kind === 'target-missing';
}

/** A failed launch: tmux failing is 503 TMUX_UNAVAILABLE; anything else is a defect of Aegis's and stays what it is (500). */
export function asLaunchError(err: unknown): unknown {
  return err instanceof TmuxError ? new AegisError('TMUX_UNAVAILABLE', `cannot open a tmux window: ${err.message}`, { subcommand: err.subcommand }) : err;
}
