/**
 * Which signal sets a session's status, and the one place it changes. Hooks, the screen and the
 * transcript each suggest a status; a hook is the surer signal, so for a moment after one a screen
 * that still shows the old state is not believed (it is looked at again once that moment passes). A
 * Stop whose reply the transcript has not shown yet holds the turn open against the screen, only
 * progress ends a stall, and while a request waits nothing but its decision moves the session on.
 * Every change is checked against the transitions table, published and saved here, nowhere else.
 */
import type { Logger } from '../log.js';
import type { SessionRecord, SessionStatus } from './session-record.js';
import type { Timing } from './timing.js';
import { isAllowedTransition } from './transitions.js';

/** What the arbiter asks of the rest of the session. */
export interface StatusHost {
  /** Whether a permission request or question waits for a decision. */
  requestWaiting(): boolean;
  /** Whether a Stop hook said the turn ended and its reply is still awaited in the transcript. */
  turnEnding(): boolean;
  recheckScreenIn(ms: number): void;
  save(): void;
  /** The status changed (saved and published): whoever waits on the session looks again. */
  changed(): void;
  publishChange(from: SessionStatus, to: SessionStatus): void;
}

export class StatusArbiter {
  /** When a hook last set the status; the screen may lag behind a hook for a moment. */
  private lastHookStatusAt = 0;
  /** Set by Stop, cleared by the next hook of a turn: no dialog can be on screen in a turn that ended. */
  private turnEndedByHook = false;
  private progressAt = Date.now();

  constructor(
    /** The session's record, of which the arbiter changes the status and its times. */
    private readonly record: SessionRecord,
    private readonly deps: { timing: Pick<Timing, 'hookPrecedenceMs'>; logger: Logger },
    private readonly host: StatusHost,
  ) {}

  /** When Claude last did something (the stall clock). */
  get lastProgressAt(): number {
    return this.progressAt;
  }

  /** Whether a dialog on the screen can be a real one: not while starting, nor in a turn a hook ended. */
  get dialogsCanShow(): boolean {
    return this.record.status !== 'starting' && !this.turnEndedByHook;
  }

  /** A hook arrived; `endsTurn` (null: says nothing of it) whether it ended the turn. */
  hookArrived(endsTurn: boolean | null): void {
    if (endsTurn !== null) this.turnEndedByHook = endsTurn;
  }

  /** A hook said how the turn ends: the screen waits its moment before it is believed again. */
  hookEndedTurn(): void {
    this.lastHookStatusAt = Date.now();
  }

  /** Claude did something; a stalled session is working again. */
  progressed(): void {
    this.progressAt = Date.now();
    if (this.record.status === 'stalled') this.set('working', { fromHook: true });
  }

  /** Moves to `to` as a signal suggests, unless a surer signal said otherwise; true when it moved. */
  set(to: SessionStatus, { fromHook }: { fromHook: boolean }): boolean {
    const from = this.record.status;
    if (from === 'exited' || from === to) return false;
    if (to !== 'permission_prompt' && to !== 'asking' && this.host.requestWaiting()) return false;
    const { hookPrecedenceMs } = this.deps.timing;
    if (fromHook) {
      this.lastHookStatusAt = Date.now();
      // The screen gets its say once the hook's moment passes, even if the pane prints nothing more
      // (a read begun just before the hook would otherwise be the last one).
      this.host.recheckScreenIn(hookPrecedenceMs);
    } else {
      if (from === 'stalled' && to === 'working') return false; // only progress ends a stall
      if (this.host.turnEnding()) return false; // the Stop hook already said how this turn ends
      const sinceHook = Date.now() - this.lastHookStatusAt;
      if (sinceHook < hookPrecedenceMs) {
        this.host.recheckScreenIn(hookPrecedenceMs - sinceHook);
        return false;
      }
    }
    // The stall clock starts with the turn.
    if (to === 'working' && from !== 'stalled') this.progressAt = Date.now();
    return this.transition(to);
  }

  /** The one place a status changes: checked against the table, published, saved. */
  transition(to: SessionStatus): boolean {
    const from = this.record.status;
    if (!isAllowedTransition(from, to)) {
      this.deps.logger.warn({ from, to }, 'refused a status change the transitions table does not allow');
      return false;
    }
    const now = new Date().toISOString();
    this.record.status = to;
    this.record.statusChangedAt = now;
    if (to !== 'exited') this.record.lastActivityAt = now;
    // Published before it is saved: in the same turn of the event loop, so no request sees one without
    // the other, and the event does not wait for the store's write.
    this.host.publishChange(from, to);
    this.host.save();
    this.host.changed();
    return true;
  }
}
