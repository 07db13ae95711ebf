/**
 * The tools the transcript shows Claude asked for and has no result for yet. While one runs, the turn
 * is running whatever a hook says: a Stop (which any program in the session could fake) does not end
 * it. Claude writes a result for every tool it asked for, a refused or interrupted one too; a new
 * prompt in the transcript starts afresh.
 */
import type { TranscriptMessage } from '../claude/transcript.js';

/** Tools awaiting their result, at most: a transcript that never answers them cannot grow the set without bound. */
const MAX_OPEN = 1024;

export class RunningTools {
  private readonly open = new Set<string>();

  /** Follows the transcript's new messages, in order. */
  saw(messages: readonly TranscriptMessage[]): void {
    for (const message of messages) {
      if (message.kind === 'tool_use' && message.toolUseId) {
        this.open.add(message.toolUseId);
        if (this.open.size > MAX_OPEN) this.open.delete(this.open.values().next().value!);
      } else if (message.kind === 'tool_result' && message.toolUseId) this.open.delete(message.toolUseId);
      else if (message.role === 'user' && message.kind === 'text') this.open.clear();
    }
  }

  get any(): boolean {
    return this.open.size > 0;
  }
}
