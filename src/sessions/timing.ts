/**
 * Every timing policy of the daemon's core in one place (debounces, dialog delays, tick intervals,
 * command timeouts, hook margins), so tests and operators can see and tune it. Nothing else in the
 * core holds a delay of its own.
 */
export interface Timing {
  /** After a pane prints, wait this long for more output before re-reading its screen. */
  screenThrottleMs: number;
  /** The same wait while someone waits for the screen to change (a delivery for its typed text to show). */
  screenEagerMs: number;
  /**
   * The same wait while a turn runs and no one waits for the screen: Claude's spinner redraws it all
   * the time, and the turn's hooks and transcript tell what changes (a dialog with no hook behind it,
   * the fallback, is seen this late).
   */
  workingScreenMs: number;
  /** After the transcript's directory reports a change, wait this long before reading (one burst, one read). */
  transcriptDebounceMs: number;
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
  /**
   * How long Enter waits after the pane's output shows the typed text drawn (0: not at all). Claude
   * draws a burst of keys before it has settled whether they were a paste, and an Enter inside that
   * moment would be part of it; with Enter following the draw of the text's end, none of 140
   * deliveries at start-up and at an idle prompt, on a quiet machine and at load 5, needed a wait.
   */
  typedDrawSettleMs: number;
  /** How long a start-up dialog is shown before it is answered: keys sent as it first draws are lost. */
  dialogSettleMs: number;
  /** Minimum gap between two answers to the same start-up dialog. */
  dialogRetryMs: number;
  /** How long a dialog must stay on screen with no hook behind it before it counts as a screen request. */
  screenRequestGraceMs: number;
  /**
   * How long a held hook request may hold its session without Claude's screen showing it as a dialog
   * (Claude draws its dialog while its hook is held; anything in the session can call the hook).
   */
  unseenRequestMs: number;
  /** How long a rejection's message waits for the dialog it answered to leave the screen. */
  dialogLeaveMs: number;
  /** How long interrupt waits for the turn to stop. */
  interruptWaitMs: number;
  /**
   * How long to wait for tmux to learn a dead pane's exit status before the session is published exited
   * without one: tmux 3.3a can mark a pane dead (its terminal closed) and leave its status and signal
   * empty for seconds, or for good, after a `kill -9`; the exit is published late by this much.
   */
  exitStatusWaitMs: number;
  /** How often a dead pane's status, or a closed window's process, is looked at again meanwhile. */
  exitStatusPollMs: number;
  /** How often the daemon-wide upkeep looks at every session's timestamps. */
  reaperIntervalMs: number;
  /** How often windows no session owns are looked for. */
  orphanSweepIntervalMs: number;
  /** How often ended sessions are released from memory and, past their retention, removed from the store. */
  retentionSweepIntervalMs: number;
  /** Grace for Claude to exit after its window is closed, before it is killed. */
  killGraceMs: number;
  /** First pause before tmux is asked again after it did not answer clearly; it doubles up to the max. */
  tmuxRetryMs: number;
  tmuxRetryMaxMs: number;
  /** How long any one tmux command may take. */
  tmuxCommandTimeoutMs: number;
  /** How long a caller's read of the screen (GET /pane) waits for tmux: a stopped server is a quick 503. */
  paneReadTimeoutMs: number;
  /** How long Claude waits for a held PermissionRequest hook beyond the permission timeout itself. */
  permissionHookMarginMs: number;
  /** Usage and activity are saved this long after they change (one write for a burst of transcript). */
  usageSaveMs: number;
}

export const DEFAULT_TIMING: Timing = {
  screenThrottleMs: 120,
  screenEagerMs: 10,
  workingScreenMs: 5000,
  transcriptDebounceMs: 20,
  hookPrecedenceMs: 1500,
  transcriptSettleMs: 3000,
  readyTimeoutMs: 60_000,
  deliveryAttemptMs: 5000,
  deliveryAttempts: 3,
  typingSettleMs: 1000,
  typedDrawSettleMs: 0,
  dialogSettleMs: 300,
  dialogRetryMs: 1000,
  screenRequestGraceMs: 1000,
  unseenRequestMs: 10_000,
  dialogLeaveMs: 5000,
  interruptWaitMs: 5000,
  exitStatusWaitMs: 1500,
  exitStatusPollMs: 100,
  reaperIntervalMs: 1000,
  orphanSweepIntervalMs: 60_000,
  retentionSweepIntervalMs: 60_000,
  killGraceMs: 3000,
  tmuxRetryMs: 1000,
  tmuxRetryMaxMs: 30_000,
  tmuxCommandTimeoutMs: 10_000,
  paneReadTimeoutMs: 2000,
  permissionHookMarginMs: 60_000,
  usageSaveMs: 1000,
};
