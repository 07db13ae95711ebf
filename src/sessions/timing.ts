/** Every timing policy of the session core in one place, so tests and operators can see and tune it. */
export interface Timing {
  /** After a pane prints, wait this long for more output before re-reading its screen. */
  screenThrottleMs: number;
  /** How long the screen may disagree with a status a hook just set before the screen is believed. */
  hookPrecedenceMs: number;
  /** How long the end of a turn waits for the transcript to hold the reply the Stop hook announced. */
  transcriptSettleMs: number;
  /** How long a send waits for a starting session to show its prompt. */
  readyTimeoutMs: number;
  /** How long one delivery attempt waits for Claude to confirm the prompt. */
  deliveryAttemptMs: number;
  deliveryAttempts: number;
  /** How long Enter waits, after several typed lines, for Claude to show the last of them. */
  typingSettleMs: number;
  /** How long a start-up dialog is shown before it is answered: keys sent as it first draws are lost. */
  dialogSettleMs: number;
  /** Minimum gap between two answers to the same start-up dialog. */
  dialogRetryMs: number;
  /** How long interrupt waits for the turn to stop. */
  interruptWaitMs: number;
  /** How long to wait for tmux to learn a dead pane's exit status (tmux 3.3a can take a second or two). */
  exitStatusWaitMs: number;
  /** How often the daemon-wide reaper looks at every session's timestamps. */
  reaperIntervalMs: number;
  /** Grace for Claude to exit after its window is closed, before it is killed. */
  killGraceMs: number;
  /** First pause before tmux is asked again after it did not answer clearly; it doubles up to the max. */
  tmuxRetryMs: number;
  tmuxRetryMaxMs: number;
}

export const DEFAULT_TIMING: Timing = {
  screenThrottleMs: 120,
  hookPrecedenceMs: 1500,
  transcriptSettleMs: 3000,
  readyTimeoutMs: 60_000,
  deliveryAttemptMs: 5000,
  deliveryAttempts: 3,
  typingSettleMs: 1000,
  dialogSettleMs: 300,
  dialogRetryMs: 1000,
  interruptWaitMs: 5000,
  exitStatusWaitMs: 5000,
  reaperIntervalMs: 1000,
  killGraceMs: 3000,
  tmuxRetryMs: 1000,
  tmuxRetryMaxMs: 30_000,
};
