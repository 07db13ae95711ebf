/**
 * Delivering text to Claude's prompt and knowing it arrived. Text is typed literally (one line) or
 * pasted as one bracketed paste (several lines, or long), then submitted with Enter. It counts as
 * delivered only when Claude confirms it: its UserPromptSubmit hook, or a user message in the
 * transcript. An unconfirmed attempt is retried a bounded number of times, re-pressing Enter when the
 * text still sits in the prompt box and retyping only when it is gone, so nothing arrives twice.
 */
import { promptMatches } from '../claude/prompt-match.js';
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
  tmux: Pick<TmuxServer, 'typeText' | 'paste' | 'pressKeys'>;
  timing: Pick<Timing, 'deliveryAttemptMs' | 'deliveryAttempts'>;
  /** Re-reads the screen (and transcript) now. */
  refresh: () => Promise<ScreenState>;
}

/** Longest text typed key by key; longer text goes in as one paste. */
const MAX_TYPED = 500;

export async function deliverText(session: LiveSession, text: string, deps: DeliveryDeps): Promise<DeliveryResult> {
  const text_ = text.replace(/\r\n?/g, '\n');
  const hooksBefore = session.acceptedPrompts.length;
  const messagesBefore = session.messages.length;
  const accepted = () =>
    session.acceptedPrompts.slice(hooksBefore).some((p) => promptMatches(p, text_)) ||
    session.messages.slice(messagesBefore).some((m) => m.role === 'user' && m.kind === 'text' && promptMatches(m.text, text_));

  const paneId = session.record.paneId;
  const enter = () => deps.tmux.pressKeys(paneId, 'Enter');
  const input = async () => {
    if (text_.includes('\n') || text_.length > MAX_TYPED) await deps.tmux.paste(paneId, text_);
    else await deps.tmux.typeText(paneId, text_);
  };

  for (let attempt = 1; attempt <= deps.timing.deliveryAttempts; attempt++) {
    if (attempt === 1) {
      await input();
      await enter();
    } else {
      const screen = await deps.refresh();
      if (accepted()) return { delivered: true, attempts: attempt - 1 };
      if (session.isExited) break;
      if (screen.kind === 'idle' && stillInPromptBox(screen.input, text_)) {
        // The text is still in the prompt box: Enter was lost or came too early.
        await enter();
      } else if (screen.kind === 'idle') {
        await input();
        await enter();
      }
      // Otherwise Claude is busy (the text is queued behind the running turn): keep waiting.
    }
    if (await session.waitUntil(() => accepted() || session.isExited, deps.timing.deliveryAttemptMs)) {
      if (accepted()) return { delivered: true, attempts: attempt };
      break;
    }
  }
  return {
    delivered: false,
    attempts: deps.timing.deliveryAttempts,
    error: session.isExited ? 'the session exited before Claude accepted the text' : 'Claude did not confirm the text in time',
  };
}

/** Whether the prompt box shows the text (wrapped at the screen's width) or Claude's placeholder for a paste. */
function stillInPromptBox(box: string, text: string): boolean {
  if (/\[Pasted text #\d+/.test(box)) return true;
  const squash = (s: string) => s.replace(/\s+/g, '');
  const head = squash(text).slice(0, 40);
  return head.length > 0 && squash(box).includes(head);
}
