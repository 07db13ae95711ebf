/**
 * Delivering text to Claude's prompt and knowing it arrived. Text is typed literally (line breaks
 * as Ctrl-J) or, when long, pasted as one bracketed paste, then submitted with Enter. It
 * counts as delivered only when Claude confirms it: its UserPromptSubmit hook, or a new user record
 * in the transcript. An unconfirmed attempt is retried a bounded number of times, re-pressing Enter
 * when the text still sits in the prompt box and retyping only when nothing at all happened, so a
 * message never arrives twice. Typing that fails part-way is erased again with Backspace, so a failed
 * delivery leaves no half-typed text in Claude's prompt.
 */
import type { ScreenState } from '../claude/screen.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { LiveSession } from './live-session.js';
import type { Timing } from './timing.js';

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  error?: string;
}

export interface DeliveryDeps {
  tmux: Pick<TmuxServer, 'typeText' | 'paste' | 'pressKeys' | 'pressKey'>;
  timing: Pick<Timing, 'deliveryAttemptMs' | 'deliveryAttempts' | 'transcriptSettleMs'>;
  /** Re-reads the screen (and transcript) now. */
  refresh: () => Promise<ScreenState>;
}

/**
 * Longest text typed rather than pasted. Claude treats more than 800 characters arriving at once as a
 * paste and records it wrapped in <pasted_content> tags; typed text arrives exactly as sent.
 */
const MAX_TYPED = 800;

export async function deliverText(session: LiveSession, rawText: string, deps: DeliveryDeps): Promise<DeliveryResult> {
  const text = rawText.replace(/\r\n?/g, '\n');
  const hooksBefore = session.acceptedPrompts.length;
  const transcript = session.transcript;
  const userRecordsBefore = transcript.userRecords;
  const recordsBefore = transcript.records;
  const newUserRecords = () => session.transcript !== transcript || transcript.userRecords > userRecordsBefore;
  // Any input Claude takes right after ours is ours, even when Claude reshaped it (a paste wrapper,
  // tabs turned to spaces, a slash command or shell-mode line): a second copy would be worse.
  const confirmed = () => session.acceptedPrompts.length > hooksBefore || newUserRecords();

  const paneId = session.record.paneId;
  const input = async () => {
    // Backspaces that would remove what may have reached the prompt so far, the key being sent
    // included (a command that timed out may still have run).
    let typed = 0;
    try {
      if (text.length > MAX_TYPED) {
        // Claude shows a paste as one placeholder ("[Pasted text #1 +n lines]"); one Backspace removes it.
        typed = 1;
        await deps.tmux.paste(paneId, text);
      } else {
        // Ctrl-J starts a new line in Claude's prompt without submitting it.
        const lines = text.split('\n');
        for (const [i, line] of lines.entries()) {
          if (i > 0) {
            typed += 1;
            await deps.tmux.pressKeys(paneId, 'C-j');
          }
          if (line) {
            // One key per character; Claude may merge some (it composes é from e and ´) but never splits one.
            typed += [...line].length;
            await deps.tmux.typeText(paneId, line);
          }
        }
      }
      await deps.tmux.pressKeys(paneId, 'Enter');
    } catch (err) {
      // Backspace is safe in any state of the prompt: on an empty one it does nothing (it leaves
      // shell mode), unlike Ctrl-C (exits Claude when pressed twice) or Escape (interrupts a turn).
      await deps.tmux.pressKey(paneId, 'BSpace', typed).catch(() => {});
      throw err;
    }
  };

  for (let attempt = 1; attempt <= deps.timing.deliveryAttempts; attempt++) {
    if (attempt === 1) {
      await input();
    } else {
      const screen = await deps.refresh();
      if (confirmed()) return finish(attempt - 1);
      if (session.isExited) break;
      if (screen.kind === 'idle' && stillInPromptBox(screen.input, text)) {
        // The text is still in the prompt box: Enter was lost or came too early.
        await deps.tmux.pressKeys(paneId, 'Enter');
      } else if (screen.kind === 'idle' && session.transcript === transcript && transcript.records === recordsBefore) {
        // Nothing reached Claude at all (keys sent before it read its input): type it again.
        await input();
      }
      // Otherwise Claude is busy with it (or with a turn it is queued behind): keep waiting.
    }
    if (await session.waitUntil(() => confirmed() || session.isExited, deps.timing.deliveryAttemptMs)) {
      if (confirmed()) return finish(attempt);
      break;
    }
  }
  return {
    delivered: false,
    attempts: deps.timing.deliveryAttempts,
    error: session.isExited ? 'the session exited before Claude accepted the text' : 'Claude did not confirm the text in time',
  };

  /** Confirmed: give the transcript a moment to hold the message too, so /read right after shows it. */
  async function finish(attempts: number): Promise<DeliveryResult> {
    await session.waitUntil(newUserRecords, deps.timing.transcriptSettleMs);
    return { delivered: true, attempts };
  }
}

/** Whether the prompt box shows the text (wrapped at the screen's width) or Claude's placeholder for a paste. */
function stillInPromptBox(box: string, text: string): boolean {
  if (/\[Pasted text #\d+/.test(box)) return true;
  const squash = (s: string) => s.replace(/\s+/g, '');
  const head = squash(text).slice(0, 40);
  return head.length > 0 && squash(box).includes(head);
}
