/**
 * What the observers of a session (Claude's hooks, its screen, its transcript, tmux, the daemon's
 * upkeep timer) tell it: signals the session applies, one at a time, to its own state. Observers say
 * what they saw; only the session decides what it means for its status.
 */
import type { HookEvent } from '../claude/launch.js';
import type { HookPayload } from '../claude/hook-payloads.js';
import type { ScreenState } from '../claude/screen.js';

export type Signal =
  /** Claude took a prompt (UserPromptSubmit). */
  | { type: 'prompt_accepted'; prompt: string }
  /** A tool is about to run (PreToolUse). */
  | { type: 'tool_starting' }
  /** A tool ran (PostToolUse). */
  | { type: 'tool_ran'; toolName: string | undefined }
  /** The turn ended (Stop); its reply is `lastAssistantMessage`. */
  | { type: 'turn_ended'; lastAssistantMessage: string }
  /** The turn ended in an API error Claude gave up on (StopFailure). */
  | { type: 'turn_failed'; error: string; message: string }
  /** Claude notified something (Notification): the screen says what. */
  | { type: 'notified' }
  /** Claude follows another transcript file now (after /clear). */
  | { type: 'transcript_moved'; path: string }
  /** The screen was read. `changed`: it differs from the last one beyond the spinner's clock. */
  | { type: 'screen'; state: ScreenState; text: string; changed: boolean }
  /** The pane's process ended; tmux may know its exit status. */
  | { type: 'pane_died'; exitStatus: number | null }
  /** The session's tmux window was closed. */
  | { type: 'window_closed' }
  /** The working session showed no progress for `thresholdMs`. */
  | { type: 'no_progress'; thresholdMs: number; action: string };

/** The signals one hook call carries (a PermissionRequest is not a signal: it waits for an answer). */
export function hookSignals(event: Exclude<HookEvent, 'PermissionRequest'>, payload: HookPayload): Signal[] {
  const moved: Signal[] = payload.transcript_path ? [{ type: 'transcript_moved', path: payload.transcript_path }] : [];
  switch (event) {
    case 'UserPromptSubmit':
      return [...moved, { type: 'prompt_accepted', prompt: payload.prompt ?? '' }];
    case 'PreToolUse':
      return [...moved, { type: 'tool_starting' }];
    case 'PostToolUse':
      return [...moved, { type: 'tool_ran', toolName: payload.tool_name }];
    case 'Stop':
      return [...moved, { type: 'turn_ended', lastAssistantMessage: payload.last_assistant_message ?? '' }];
    case 'StopFailure':
      return [...moved, { type: 'turn_failed', error: payload.error ?? 'unknown', message: payload.last_assistant_message ?? '' }];
    case 'Notification':
      return [...moved, { type: 'notified' }];
  }
}
