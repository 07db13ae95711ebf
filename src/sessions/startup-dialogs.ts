/**
 * The dialogs Claude shows before it takes a first prompt (trust the folder, use the API key, accept
 * bypass mode), answered for the session while it starts. Only then: later the same words can only
 * be text on the screen (a reply, a file, a prompt), and answering them would press keys into the
 * prompt. A dialog is answered once it has been on screen a moment (keys sent while Claude first
 * draws it are lost), then looked at again: a dialog that stays is answered again.
 */
import { startupDialogAnswer, type StartupDialog } from '../claude/terminal-ui.js';
import type { PermissionMode } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Press } from './input-queue.js';
import type { SessionStatus } from './session-record.js';
import type { Timing } from './timing.js';

export interface StartupDialogsHost {
  status(): SessionStatus;
  permissionMode(): PermissionMode;
  recheckScreenIn(ms: number): void;
  /** Sends a batch of keys through the session's input queue. */
  keystrokes(batch: (press: Press) => Promise<void>): Promise<void>;
}

export class StartupDialogs {
  /** The start-up dialog on screen: which, since when, and when it was last answered. */
  private shown: { kind: StartupDialog; since: number; answeredAt: number } | null = null;

  constructor(
    private readonly deps: { timing: Pick<Timing, 'dialogSettleMs' | 'dialogRetryMs'>; logger: Logger },
    private readonly host: StartupDialogsHost,
  ) {}

  /** The screen shows the start-up dialog `kind`. */
  seen(kind: StartupDialog): void {
    if (this.host.status() !== 'starting') return;
    const keys = startupDialogAnswer(kind, this.host.permissionMode());
    if (!keys) return;
    const now = Date.now();
    const { dialogSettleMs, dialogRetryMs } = this.deps.timing;
    if (this.shown?.kind !== kind) this.shown = { kind, since: now, answeredAt: 0 };
    const dialog = this.shown;
    const due = Math.max(dialog.since + dialogSettleMs, dialog.answeredAt + dialogRetryMs);
    if (now < due) {
      this.host.recheckScreenIn(due - now);
      return;
    }
    dialog.answeredAt = now;
    this.deps.logger.info({ screen: kind }, 'answering start-up dialog');
    this.host.keystrokes((press) => press(keys)).catch((err: unknown) => this.deps.logger.warn({ err: errorMessage(err) }, 'cannot answer the start-up dialog'));
    this.host.recheckScreenIn(dialogRetryMs);
  }
}
