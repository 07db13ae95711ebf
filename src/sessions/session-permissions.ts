/**
 * A session's permission requests and questions: Claude's PermissionRequest hook is held until an
 * API client, a policy rule, the timeout or Claude itself decides; a dialog on the screen with no hook
 * behind it (hooks failed, or the daemon restarted while one was held) becomes a request too, but only
 * where and when such a dialog can be there, a rule may only deny what the screen cannot show whole,
 * and its decision is typed into the dialog as a person would. Part of the session it belongs to: it
 * moves the session on through the host it is given, never on its own.
 */
import { hookResponse, questionsOf } from '../claude/hook-answers.js';
import type { HookPayload } from '../claude/hook-payloads.js';
import type { ScreenState } from '../claude/screen.js';
import { askIdentity, dialogAnswer, dialogIdentity, screenAsk } from '../claude/terminal-ui.js';
import { AegisError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { answersFor, type AnswerInput } from '../permissions/answers.js';
import type { Decision, PendingRequest, PermissionBroker } from '../permissions/broker.js';
import { evaluate, permissionTimeout, type PermissionSettings } from '../permissions/policy.js';
import { requestView } from '../permissions/request-view.js';
import type { Press } from './input-queue.js';
import type { RememberedRequest } from './session-record.js';
import { ScreenDialogs } from './screen-dialogs.js';
import type { Timing } from './timing.js';
import { asSessionError } from './tmux-failures.js';

/** What a session's permissions need of their session. */
export interface PermissionsHost {
  readonly id: string;
  permissionProfile(): string | null;
  /** Exited, or closed with the daemon. */
  gone(): boolean;
  /** Whether a dialog on the screen can be there now: not before the first prompt, not in a turn hooks say has ended. */
  dialogsCanShow(): boolean;
  /** A request opened (or the last one was decided): the session's status follows. */
  requestsChanged(status: 'permission_prompt' | 'asking' | 'working'): void;
  /** Nothing holds the session any more, yet nothing says what it does now: its status follows the screen, read soon. */
  followScreen(): void;
  recheckScreenIn(ms: number): void;
  readScreen(): Promise<ScreenState>;
  /** Runs a batch of keystrokes in the session's input queue, which alone holds the keys. */
  keystrokes<T>(batch: (press: Press) => Promise<T>): Promise<T>;
  send(text: string): Promise<unknown>;
  /** Waits (bounded) until the screen, read as it changes, satisfies `test`; false when it never does. */
  untilScreen(test: (screen: ScreenState) => boolean): Promise<boolean>;
  /** The same for the screen's text. */
  untilScreenText(test: (text: string) => boolean): Promise<boolean>;
  /** The requests pending when the session's record was last saved (by an earlier daemon, for an adopted session). */
  rememberedRequests(): readonly RememberedRequest[];
  /** Keeps the pending requests with the session's record. */
  saveRequests(requests: RememberedRequest[]): void;
}

export interface PermissionsDeps {
  broker: PermissionBroker;
  settings: PermissionSettings;
  timing: Pick<Timing, 'screenRequestGraceMs'>;
  logger: Logger;
}

export class SessionPermissions {
  private readonly dialogs: ScreenDialogs;
  /**
   * Held hook requests the screen has not yet shown as a dialog, with when each opened. Claude draws
   * its dialog while its hook is held; a request it never draws was not asked by Claude (any program
   * in the session can call the hook), so after a while it stops holding the session (`disown`).
   */
  private readonly unseen = new Map<string, number>();
  /** Hook requests the screen never showed in time: still listed and decidable, but they hold nothing. */
  private readonly disowned = new Set<string>();
  /** What follows each decision, by request id, while it runs: a caller who decided waits for it. */
  private readonly followUps = new Map<string, Promise<void>>();
  /**
   * Requests an earlier daemon listed as pending, not found again yet: the dialog of one, found on the
   * screen, is listed under its id, so a caller holding that id still decides it. Forgotten once the
   * screen shows no dialog.
   */
  private carried: RememberedRequest[];

  constructor(
    private readonly deps: PermissionsDeps,
    private readonly host: PermissionsHost,
  ) {
    this.dialogs = new ScreenDialogs(deps.timing.screenRequestGraceMs);
    this.carried = [...host.rememberedRequests()];
  }

  private get broker(): PermissionBroker {
    return this.deps.broker;
  }

  /** Whether anything waits for a decision and holds the session: its status then stays what the request made it. */
  waiting(): boolean {
    return this.broker.pending(this.host.id).some((r) => this.holds(r));
  }

  /** When the oldest held hook request the screen has not shown opened (null: none). */
  unseenSince(): number | null {
    let oldest: number | null = null;
    for (const openedAt of this.unseen.values()) oldest = oldest === null ? openedAt : Math.min(oldest, openedAt);
    return oldest;
  }

  /**
   * Hook requests opened before `openedBefore` that the screen never showed stop holding the session:
   * they stay listed (a decision still answers their hook), and the status follows the screen.
   */
  disownUnseen(openedBefore: number): void {
    let disowned = false;
    for (const [id, openedAt] of this.unseen) {
      if (openedAt > openedBefore) continue;
      this.unseen.delete(id);
      this.disowned.add(id);
      disowned = true;
      this.deps.logger.warn({ sessionId: this.host.id, permissionId: id }, "a hook request Claude's screen never showed no longer holds the session");
    }
    if (disowned && !this.host.gone() && !this.waiting()) this.host.followScreen();
  }

  private holds(request: PendingRequest): boolean {
    return !this.disowned.has(request.id);
  }

  /** The oldest pending permission and question, as the Session object shows them. */
  firstPending(): { pendingPermission: unknown; pendingQuestion: unknown } {
    const [permission] = this.broker.pending(this.host.id, 'permission');
    const [question] = this.broker.pending(this.host.id, 'question');
    return { pendingPermission: permission ? requestView(permission) : null, pendingQuestion: question ? requestView(question) : null };
  }

  list(): Record<string, unknown>[] {
    return this.broker.pending(this.host.id, 'permission').map(requestView);
  }

  count(kind: PendingRequest['kind']): number {
    return this.broker.pending(this.host.id, kind).length;
  }

  async approve(input: { permissionId?: string | undefined; always?: boolean | undefined }, keyId: string | null): Promise<Record<string, unknown>> {
    const request = this.broker.find(this.host.id, 'permission', input.permissionId);
    this.broker.decide(this.host.id, request.id, { behavior: 'allow', by: 'api', keyId, ...(input.always ? { always: true } : {}) });
    await this.followedThrough(request.id);
    return requestView(request);
  }

  async reject(input: { permissionId?: string | undefined; message?: string | undefined }, keyId: string | null): Promise<Record<string, unknown>> {
    const request = this.broker.find(this.host.id, 'permission', input.permissionId);
    this.broker.decide(this.host.id, request.id, { behavior: 'deny', by: 'api', keyId, ...(input.message ? { message: input.message } : {}) });
    await this.followedThrough(request.id);
    return requestView(request);
  }

  async answer(input: AnswerInput & { questionId?: string | undefined }, keyId: string | null): Promise<{ question: Record<string, unknown>; answers: Record<string, string> }> {
    const request = this.broker.find(this.host.id, 'question', input.questionId);
    const answers = answersFor(request.questions ?? [], input);
    this.broker.decide(this.host.id, request.id, { behavior: 'allow', by: 'api', keyId, answers });
    await this.followedThrough(request.id);
    return { question: requestView(request), answers };
  }

  /**
   * Waits for what follows a decision (the session going on; for a dialog on the screen, its answer
   * typed), so the caller who decided hears when it failed: the decision stands (Claude's hook had its
   * answer, the event was published), and the error says what did not follow.
   */
  private async followedThrough(id: string): Promise<void> {
    try {
      await this.followUps.get(id);
    } catch (err) {
      const known = asSessionError(err, this.host.id);
      const [code, why] = known instanceof AegisError ? [known.code, known.message] : (['INTERNAL', 'the daemon log has the details'] as const);
      throw new AegisError(code, `the decision was made, but what follows it failed: ${why}`, { permissionId: id, decided: true });
    }
  }

  /** Remembers what follows the decision of request `id`, until it is done (a failure is logged where it happens). */
  private followWith(id: string, step: Promise<void>): void {
    const earlier = this.followUps.get(id);
    const all = earlier ? Promise.all([earlier, step]).then(() => undefined) : step;
    this.followUps.set(id, all);
    const done = () => {
      if (this.followUps.get(id) === all) this.followUps.delete(id);
    };
    all.then(done, done);
  }

  /**
   * Claude's PermissionRequest hook: the request waits for a decision (or for Claude to give up on the
   * hook, `abandoned`), and the hook is answered with it.
   */
  async fromHook(payload: HookPayload, abandoned: AbortSignal): Promise<Record<string, unknown>> {
    const toolName = payload.tool_name ?? 'unknown';
    const toolInput = payload.tool_input ?? {};
    const suggestions = Array.isArray(payload.permission_suggestions) ? (payload.permission_suggestions as unknown[]) : [];
    const isQuestion = toolName === 'AskUserQuestion';
    const { request, decision } = this.open({
      kind: isQuestion ? 'question' : 'permission',
      toolName,
      toolInput,
      suggestions,
      source: 'hook',
      ...(isQuestion ? { questions: questionsOf(toolInput) } : {}),
    });
    const abandon = () => this.broker.decide(this.host.id, request.id, { behavior: 'deny', by: 'terminal' });
    if (abandoned.aborted) abandon();
    else abandoned.addEventListener('abort', abandon, { once: true });
    if (!isQuestion) this.applyPolicy(request, { mayAllow: true });
    // Abandoned before it opened, or decided by a rule: it never holds the session.
    if (this.isPending(request)) {
      this.unseen.set(request.id, Date.now());
      this.host.requestsChanged(isQuestion ? 'asking' : 'permission_prompt');
      // Claude may have drawn its dialog before it called the hook: look at the screen as it is now.
      this.host.followScreen();
    }
    try {
      return hookResponse(await decision, toolInput, suggestions);
    } finally {
      abandoned.removeEventListener('abort', abandon);
    }
  }

  /**
   * A tool ran: a screen request for it that is still listed was answered at the terminal. Held hook
   * calls are never decided this way, so no report of a tool run can approve what nobody approved.
   */
  toolRan(toolName: string | undefined): void {
    this.broker.decideAll(this.host.id, { behavior: 'allow', by: 'terminal' }, (r) => r.source === 'screen' && r.toolName === toolName);
  }

  /** The turn ended: whatever is still listed will not be asked any more. */
  turnEnded(): void {
    this.broker.decideAll(this.host.id, { behavior: 'deny', by: 'terminal' });
  }

  sessionEnded(): void {
    this.broker.decideAll(this.host.id, { behavior: 'deny', by: 'session_ended', message: 'The session ended.' });
  }

  /**
   * The screen fallback. A dialog with no hook behind it becomes a request once it has stayed a
   * moment, but only where and when such a dialog can be there: not before Claude took a first
   * prompt, not in a turn its hooks say has ended, not while a held hook covers it. A screen request
   * whose dialog is gone was answered at the terminal.
   */
  onScreen(screen: ScreenState): void {
    const id = this.host.id;
    const identity = this.host.dialogsCanShow() ? dialogIdentity(screen) : null;
    if (identity) this.seen(screen.kind);
    else this.carried = [];
    for (const request of this.broker.pending(id)) {
      if (request.source === 'screen' && request.screen && askIdentity({ kind: request.kind, ...request.screen }) !== identity) {
        this.broker.decide(id, request.id, { behavior: screen.kind === 'working' ? 'allow' : 'deny', by: 'terminal' });
      }
    }
    if (!identity || this.broker.pending(id).some((r) => r.source === 'hook' && this.holds(r))) {
      this.dialogs.forget();
      return;
    }
    if (this.broker.pending(id).some((r) => r.source === 'screen')) return;
    const verdict = this.dialogs.consider(identity, Date.now());
    if (!verdict.open) {
      if (verdict.recheckInMs !== undefined) this.host.recheckScreenIn(verdict.recheckInMs);
      return;
    }
    const ask = screenAsk(screen);
    if (!ask) return;
    const { request, decision } = this.open({
      kind: ask.kind,
      toolName: ask.toolName,
      toolInput: ask.toolInput,
      suggestions: [],
      source: 'screen',
      screen: { title: ask.title, detail: ask.detail, options: ask.options, inputComplete: ask.inputComplete },
      ...(ask.questions ? { questions: ask.questions } : {}),
    });
    this.host.requestsChanged(ask.kind === 'question' ? 'asking' : 'permission_prompt');
    const answered = decision.then(
      (d) =>
        this.answerOnScreen(identity, d).catch((err: unknown) => {
          this.deps.logger.warn({ sessionId: id, err: errorMessage(err) }, 'cannot answer the dialog on screen');
          throw err;
        }),
      // A daemon that stops leaves the dialog to the next one, which finds it on the screen again.
      () => {},
    );
    this.followWith(request.id, answered);
    if (ask.kind === 'permission') this.applyPolicy(request, { mayAllow: ask.inputComplete });
  }

  /**
   * Gives a decision to a dialog on screen by choosing its option, as a person would, after checking
   * that the dialog on screen is still the one that was decided: keys must never answer another.
   */
  private async answerOnScreen(identity: string, decision: Decision): Promise<void> {
    if (decision.by === 'terminal' || decision.by === 'session_ended' || this.host.gone()) return;
    this.dialogs.answering(identity, Date.now());
    // Looking and pressing are one batch of the input queue: no keystroke comes between the check
    // that this dialog is still shown and the answer to it.
    const deniedInDialog = await this.host.keystrokes(async (press) => {
      const screen = await this.host.readScreen();
      const answer = dialogAnswer(screen, decision);
      if (dialogIdentity(screen) !== identity || !answer) {
        this.deps.logger.warn({ sessionId: this.host.id }, 'the dialog changed before its decision could be typed; it is left for the next decision');
        return false;
      }
      for (const step of answer.steps) {
        await press(step.keys);
        if (step.awaitScreen && !(await this.host.untilScreenText(step.awaitScreen))) {
          // Going on would type into what Claude shows instead; the dialog stays, to be listed again.
          this.deps.logger.warn({ sessionId: this.host.id }, 'the dialog did not take the answer as expected; it is left for the next decision');
          return false;
        }
      }
      return answer.deniedInDialog;
    });
    if (deniedInDialog && decision.message && decision.by === 'api') {
      this.typeRejection(identity, decision.message).catch((err: unknown) =>
        this.deps.logger.warn({ sessionId: this.host.id, err: errorMessage(err) }, 'cannot type the rejection message'),
      );
    }
  }

  /**
   * Claude asks what to do instead after a "No"; the rejection's message is the answer, typed only
   * once the dialog has gone: keys that reach the dialog would answer it (Enter picks its "Yes"). A
   * delivery of its own, which the caller of the rejection does not wait for.
   */
  private async typeRejection(identity: string, message: string): Promise<void> {
    if (await this.host.untilScreen((screen) => dialogIdentity(screen) !== identity)) await this.host.send(message);
    else this.deps.logger.warn({ sessionId: this.host.id }, 'the dialog stayed on the screen after its "No"; the rejection message was not typed');
  }

  /** A dialog of `kind` is on the screen: the held hook requests of that kind are Claude's own. */
  private seen(kind: ScreenState['kind']): void {
    for (const request of this.broker.pending(this.host.id)) {
      if (request.kind === kind) this.unseen.delete(request.id);
    }
  }

  private isPending(request: PendingRequest): boolean {
    return this.broker.pending(this.host.id).some((r) => r.id === request.id);
  }

  private open(fields: Omit<PendingRequest, 'id' | 'createdAt' | 'expiresAt' | 'sessionId'>): { request: PendingRequest; decision: Promise<Decision> } {
    const opened = this.broker.open({ ...fields, sessionId: this.host.id }, permissionTimeout(this.deps.settings, this.host.permissionProfile()), this.carriedFor(fields));
    this.savePending();
    const goneOn = opened.decision.then(
      (decision) => {
        this.savePending();
        try {
          this.afterDecision(opened.request, decision);
        } catch (err) {
          this.deps.logger.error({ sessionId: this.host.id, err: errorMessage(err) }, 'the session could not go on after a permission decision');
          throw err;
        }
      },
      // Abandoned (the session ended, the daemon closed): there is no decision to go on from.
      () => {},
    );
    this.followWith(opened.request.id, goneOn);
    return opened;
  }

  /** The earlier daemon's request a dialog found on the screen is, if any: the same kind and tool, first come. */
  private carriedFor(fields: Pick<PendingRequest, 'source' | 'kind' | 'toolName'>): RememberedRequest | undefined {
    if (fields.source !== 'screen') return undefined;
    const at = this.carried.findIndex((r) => r.kind === fields.kind && r.toolName === fields.toolName);
    return at === -1 ? undefined : this.carried.splice(at, 1)[0];
  }

  /** The pending requests, kept with the session's record (a daemon that stops leaves them for the next). */
  private savePending(): void {
    this.host.saveRequests(this.broker.pending(this.host.id).map(({ id, kind, toolName, createdAt }) => ({ id, kind, toolName, createdAt })));
  }

  /**
   * Once nothing else holds the session, a decision lets the turn go on; a request the terminal
   * answered (or Claude gave up on) says nothing of what Claude does next, so the status follows the
   * screen.
   */
  private afterDecision(request: PendingRequest, decision: Decision): void {
    this.unseen.delete(request.id);
    // A request that held nothing says nothing of what Claude does either.
    const heldNothing = this.disowned.delete(request.id);
    if (this.host.gone() || this.waiting()) return;
    if (decision.by === 'terminal' || heldNothing) this.host.followScreen();
    else this.host.requestsChanged('working');
  }

  /**
   * A policy rule decides at once when one matches; returns whether it did. Unless `mayAllow`, a rule
   * may only deny: an input read off the screen that may be cut or wrapped is not what an allow rule
   * was written for, so it waits for a person (or the timeout).
   */
  private applyPolicy(request: PendingRequest, { mayAllow }: { mayAllow: boolean }): boolean {
    const name = this.host.permissionProfile();
    const profiles = this.deps.settings.permissionProfiles;
    if (!name || !Object.hasOwn(profiles, name)) return false;
    const verdict = evaluate(name, profiles[name], request.toolName, request.toolInput);
    if (!verdict || verdict.decision === 'ask') return false;
    if (verdict.decision === 'allow' && !mayAllow) {
      this.deps.logger.info({ sessionId: this.host.id, permissionId: request.id, rule: verdict.rule }, 'a rule would allow an input the screen may not show whole; it waits for a person');
      return false;
    }
    return this.broker.decide(this.host.id, request.id, {
      behavior: verdict.decision,
      by: 'rule',
      rule: verdict.rule,
      ...(verdict.decision === 'deny' ? { message: verdict.message ?? `Denied by Aegis rule ${verdict.rule}.` } : {}),
    });
  }
}
