/**
 * The one error every tmux call throws, whichever way it reached tmux (the control connection or a
 * tmux process of its own). It names the subcommand and says what kind of failure it was, so the core
 * can tell "tmux is not there" from "that window is gone" from "tmux refused this command".
 */

/**
 * - `unavailable`: tmux cannot be reached: no server, our tmux session gone, the connection lost, no
 *   answer in time, or the tmux program cannot be run.
 * - `target-missing`: the pane or window the command named no longer exists.
 * - `failed`: tmux ran and refused the command (anything else it reported).
 */
export type TmuxErrorKind = 'unavailable' | 'target-missing' | 'failed';

export class TmuxError extends Error {
  constructor(
    readonly subcommand: string,
    readonly kind: TmuxErrorKind,
    readonly detail: string,
  ) {
    super(`tmux ${subcommand} failed: ${detail || 'no output'}`);
    this.name = 'TmuxError';
  }

  /** An error from what tmux printed when it failed a command. */
  static fromOutput(subcommand: string, output: string): TmuxError {
    return new TmuxError(subcommand, kindOfOutput(output), output.trim());
  }
}

const TARGET_MISSING = /can't find (pane|window)/;
/** tmux's words when there is no server to talk to, or it went away mid-command. */
const SERVER_GONE = /no server running on |error connecting to |server exited unexpectedly|lost server|can't find session/;

function kindOfOutput(output: string): TmuxErrorKind {
  if (TARGET_MISSING.test(output)) return 'target-missing';
  if (SERVER_GONE.test(output)) return 'unavailable';
  return 'failed';
}

/**
 * Whether a failed probe positively shows that the server, or the named tmux session in it, does not
 * exist: "no server running" (a socket nobody listens on), "error connecting … (No such file or
 * directory)" (no socket) or "can't find session". Any other failure proves nothing either way.
 */
export function showsServerOrSessionGone(err: TmuxError): boolean {
  return /no server running on |error connecting to .*\(No such file or directory\)|can't find session/.test(err.detail);
}
