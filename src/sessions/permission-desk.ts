/**
 * Where a session's permission requests and questions are decided. Claude's PermissionRequest hook
 * is held open until an API client, a policy rule or the timeout decides; a dialog that shows on the
 * screen with no hook behind it (hooks failed, or the daemon restarted while one was held) is listed
 * too and answered with keystrokes, but only where and when such a dialog can really be there, and a
 * rule may only deny what the screen cannot show whole. Every request is published when it opens and
 * when it is decided.
 */
import type { Config } from '../config/schema.js';
import { AegisError } from '../errors.js';
import type { HookPayload } from '../claude/hook-payloads.js';
import type { ScreenState } from '../claude/screen.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { answersFor, hookResponse, permissionOption, questionsOf, screenQuestion, type AnswerInput } from '../permissions/answers.js';
import { PermissionBroker, type Decision, type PendingRequest } from '../permissions/broker.js';
import { evaluate, permissionTimeout } from '../permissions/policy.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { LiveSession } from './live-session.js';
import type { SessionStatus } from './session.js';

export interface PermissionDeskDeps {
  config: Config;
  bus: EventBus;
  logger: Logger;
  tmux: Pick<TmuxServer, 'pressKeys' | 'typeText'>;
  setStatus(session: LiveSession, to: SessionStatus): void;
  /** Looks at the session's screen again after `ms`. */
  recheckLater(session: LiveSession, ms: number): void;
  /** Reads the session's screen now. */
  screenNow(session: LiveSession): Promise<ScreenState>;
  /** Sends text to Claude's prompt (for a rejection's message after a screen dialog). */
  deliver(session: LiveSession, text: string): Promise<unknown>;
}

/** A dialog must stay on screen this long with no hook behind it before it counts as a screen request. */
const SCREEN_REQUEST_GRACE_MS = 1000;

export class PermissionDesk {
  readonly broker: PermissionBroker;
  private readonly sessions = new Map<string, LiveSession>();
  private readonly dialogSeen = new Map<string, { key: string; at: number }>();

  constructor(private readonly deps: PermissionDeskDeps) {
    this.broker = new PermissionBroker({
      requested: (request) => {
        // The request's fields stand in the event itself (its id as permissionId or questionId);
        // a permission is also there whole, under `permission`.
        const { id, ...fields } = this.view(request);
        if (request.kind === 'question') deps.bus.publish('question', request.sessionId, { ...fields, questionId: id });
        else deps.bus.publish('permission_request', request.sessionId, { ...fields, permissionId: id, permission: this.view(request) });
      },
      resolved: (request, decision) => {
        deps.bus.publish('permission_resolved', request.sessionId, {
          permissionId: request.id,
          kind: request.kind,
          toolName: request.toolName,
          decision: decision.behavior,
          by: decision.by,
          ...(decision.rule ? { rule: decision.rule } : {}),
          ...(decision.keyId ? { keyId: decision.keyId } : {}),
          ...(decision.message ? { message: decision.message } : {}),
          ...(decision.answers ? { answers: decision.answers } : {}),
        });
        deps.logger.info({ sessionId: request.sessionId, permissionId: request.id, tool: request.toolName, decision: decision.behavior, by: decision.by, rule: decision.rule }, 'permission decided');
        const session = this.sessions.get(request.sessionId);
        if (session && !session.isExited && this.broker.pending(request.sessionId).length === 0 && decision.by !== 'terminal') {
          deps.setStatus(session, 'working');
        }
      },
    });
  }

  /** The Permission object of the contract (and, for questions, what was asked). */
  view(request: PendingRequest): Record<string, unknown> {
    const { kind, questions, screen, ...permission } = request;
    if (kind === 'permission') return { ...permission, ...(screen ? { screen } : {}) };
    const first = questions?.[0];
    return { ...permission, question: first?.question ?? '', header: first?.header, options: first?.options ?? [], multiSelect: first?.multiSelect ?? false, questions };
  }

  pendingPermission(sessionId: string): Record<string, unknown> | null {
    const [first] = this.broker.pending(sessionId, 'permission');
    return first ? this.view(first) : null;
  }

  pendingQuestion(sessionId: string): Record<string, unknown> | null {
    const [first] = this.broker.pending(sessionId, 'question');
    return first ? this.view(first) : null;
  }

  listPermissions(sessionId: string): Record<string, unknown>[] {
    return this.broker.pending(sessionId, 'permission').map((r) => this.view(r));
  }

  /** Whether a held hook call is waiting: the screen then only shows what the hook already said. */
  private hasPendingHook(sessionId: string): boolean {
    return this.broker.pending(sessionId).some((r) => r.source === 'hook');
  }

  /** Claude's PermissionRequest hook: resolves with the hook's answer once the request is decided. */
  async onPermissionHook(session: LiveSession, payload: HookPayload, signal: AbortSignal): Promise<Record<string, unknown>> {
    this.sessions.set(session.id, session);
    const toolName = payload.tool_name ?? 'unknown';
    const toolInput = payload.tool_input ?? {};
    const suggestions = Array.isArray(payload.permission_suggestions) ? (payload.permission_suggestions as unknown[]) : [];
    const isQuestion = toolName === 'AskUserQuestion';
    const { request, decision } = this.broker.open(
      {
        sessionId: session.id,
        kind: isQuestion ? 'question' : 'permission',
        toolName,
        toolInput,
        suggestions,
        source: 'hook',
        ...(isQuestion ? { questions: questionsOf(toolInput) } : {}),
      },
      this.timeoutFor(session),
    );
    // Claude gave up on the hook (its timeout, or a person answered at the terminal).
    const abandon = () => this.broker.decide(session.id, request.id, { behavior: 'deny', by: 'terminal' });
    if (signal.aborted) abandon();
    else signal.addEventListener('abort', abandon, { once: true });
    if (!isQuestion && this.applyPolicy(session, request)) return hookResponse(await decision, toolInput, suggestions);
    this.deps.setStatus(session, isQuestion ? 'asking' : 'permission_prompt');
    return hookResponse(await decision, toolInput, suggestions);
  }

  approve(session: LiveSession, input: { permissionId?: string | undefined; always?: boolean | undefined }, keyId: string | null): PendingRequest {
    const request = this.broker.find(session.id, 'permission', input.permissionId);
    this.broker.decide(session.id, request.id, { behavior: 'allow', by: 'api', keyId, ...(input.always ? { always: true } : {}) });
    return request;
  }

  reject(session: LiveSession, input: { permissionId?: string | undefined; message?: string | undefined }, keyId: string | null): PendingRequest {
    const request = this.broker.find(session.id, 'permission', input.permissionId);
    this.broker.decide(session.id, request.id, { behavior: 'deny', by: 'api', keyId, ...(input.message ? { message: input.message } : {}) });
    return request;
  }

  answer(session: LiveSession, input: AnswerInput & { questionId?: string | undefined }, keyId: string | null): { request: PendingRequest; answers: Record<string, string> } {
    const request = this.broker.find(session.id, 'question', input.questionId);
    const answers = answersFor(request.questions ?? [], input);
    this.broker.decide(session.id, request.id, { behavior: 'allow', by: 'api', keyId, answers });
    return { request, answers };
  }

  /**
   * A tool ran: a screen request for it that is still listed was answered at the terminal. Held hook
   * calls are never decided this way (they end when Claude stops waiting), so no report of a tool
   * run can approve a request nobody approved.
   */
  onToolRan(session: LiveSession, toolName: string | undefined): void {
    this.broker.decideAll(session.id, { behavior: 'allow', by: 'terminal' }, (r) => r.source === 'screen' && r.toolName === toolName);
  }

  /** Whether anything waits for a decision: the status then stays what the request made it. */
  hasPending(sessionId: string): boolean {
    return this.broker.pending(sessionId).length > 0;
  }

  /** The turn ended: whatever is still listed will not be asked any more. */
  onTurnEnded(session: LiveSession): void {
    this.broker.decideAll(session.id, { behavior: 'deny', by: 'terminal' });
  }

  onExited(session: LiveSession): void {
    this.broker.decideAll(session.id, { behavior: 'deny', by: 'session_ended', message: 'The session ended.' });
    this.sessions.delete(session.id);
    this.dialogSeen.delete(session.id);
  }

  /**
   * The screen fallback. A dialog with no hook behind it becomes a screen request once it has stayed
   * a moment (hooks come first when they work); a screen request whose dialog is gone was answered at
   * the terminal.
   */
  onScreen(session: LiveSession, screen: ScreenState): void {
    this.sessions.set(session.id, session);
    const key = this.counts(session) ? dialogKey(screen) : null;
    for (const request of this.broker.pending(session.id)) {
      if (request.source === 'screen' && request.screen && `${request.kind === 'question' ? 'q' : 'p'}:${request.screen.title}` !== key) {
        this.broker.decide(session.id, request.id, { behavior: screen.kind === 'working' ? 'allow' : 'deny', by: 'terminal' });
      }
    }
    if (!key || this.hasPendingHook(session.id)) {
      this.dialogSeen.delete(session.id);
      return;
    }
    if (this.broker.pending(session.id).some((r) => r.source === 'screen')) return;
    const seen = this.dialogSeen.get(session.id);
    if (!seen || seen.key !== key) {
      this.dialogSeen.set(session.id, { key, at: Date.now() });
      this.deps.recheckLater(session, SCREEN_REQUEST_GRACE_MS);
      return;
    }
    if (Date.now() - seen.at < SCREEN_REQUEST_GRACE_MS) {
      this.deps.recheckLater(session, SCREEN_REQUEST_GRACE_MS - (Date.now() - seen.at));
      return;
    }
    this.openScreenRequest(session, screen, key);
  }

  close(): void {
    this.broker.close();
  }

  /**
   * Whether a dialog the screen shows can be there at all: not before Claude takes a first prompt,
   * and not in a turn its hooks say has ended. (A held hook call covers its dialog: see onScreen.)
   */
  private counts(session: LiveSession): boolean {
    return session.record.status !== 'starting' && !session.turnEndedByHook;
  }

  private openScreenRequest(session: LiveSession, screen: ScreenState, key: string): void {
    if (screen.kind !== 'permission' && screen.kind !== 'question') return;
    const isQuestion = screen.kind === 'question';
    const toolName = isQuestion ? 'AskUserQuestion' : screen.tool ?? screen.title;
    const toolInput = isQuestion ? { questions: [screenQuestion(screen.question, screen.header, screen.options)] } : screenToolInput(toolName, screen);
    // Whether the screen shows the tool's whole input: if not, what a rule would allow may not be what runs.
    const inputComplete = isQuestion || screen.subject.whole;
    const { request, decision } = this.broker.open(
      {
        sessionId: session.id,
        kind: isQuestion ? 'question' : 'permission',
        toolName,
        toolInput,
        suggestions: [],
        source: 'screen',
        screen: { title: key.slice(2), options: screen.options.map((o) => o.label), inputComplete },
        ...(isQuestion ? { questions: questionsOf(toolInput) } : {}),
      },
      this.timeoutFor(session),
    );
    this.deps.setStatus(session, isQuestion ? 'asking' : 'permission_prompt');
    void decision.then((d) => this.answerOnScreen(session, key, d)).catch((err: unknown) => {
      // A daemon that stops leaves the dialog to the next one, which finds it on the screen again.
      if (err instanceof AegisError && err.code === 'SHUTTING_DOWN') return;
      this.deps.logger.warn({ sessionId: session.id, err: String(err) }, 'cannot answer the dialog on screen');
    });
    if (!isQuestion) this.applyPolicy(session, request, { mayAllow: inputComplete });
  }

  /**
   * Gives a decision to a dialog on screen by choosing its option, as a person would, after checking
   * that the dialog on screen is still the one that was decided: keys must never answer another.
   */
  private async answerOnScreen(session: LiveSession, key: string, decision: Decision): Promise<void> {
    if (decision.by === 'terminal' || decision.by === 'session_ended' || session.isExited) return;
    // The dialog stays on screen until the keys land; it must not be listed again meanwhile.
    this.dialogSeen.set(session.id, { key, at: Date.now() });
    // Looking at the screen and pressing the keys is one step of the session's input queue: no other
    // keystroke can come between the check that this dialog is still shown and the answer to it.
    const typedNo = await session.input(async () => {
      const screen = await this.deps.screenNow(session);
      if (dialogKey(screen) !== key) {
        this.deps.logger.warn({ sessionId: session.id }, 'the dialog changed before its decision could be typed; it is left for the next decision');
        return false;
      }
      const paneId = session.record.paneId;
      if (screen.kind === 'question') {
        const answer = Object.values(decision.answers ?? {})[0];
        const chosen = screen.options.find((o) => o.label === answer);
        if (decision.behavior === 'deny' || answer === undefined) {
          await this.deps.tmux.pressKeys(paneId, 'Escape');
        } else if (chosen) {
          await this.deps.tmux.typeText(paneId, String(chosen.index));
        } else {
          const free = screen.options.find((o) => /^Type something/.test(o.label));
          if (free) await this.deps.tmux.typeText(paneId, String(free.index));
          await this.deps.tmux.typeText(paneId, answer);
          await this.deps.tmux.pressKeys(paneId, 'Enter');
        }
        return false;
      }
      if (screen.kind !== 'permission') return false;
      const option = permissionOption(screen.options, decision);
      if (option) await this.deps.tmux.typeText(paneId, String(option.index));
      else await this.deps.tmux.pressKeys(paneId, decision.behavior === 'deny' ? 'Escape' : 'Enter');
      return decision.behavior === 'deny';
    });
    // Claude asks what to do instead after a "No"; the rejection's message is the answer.
    if (typedNo && decision.message && decision.by === 'api') await this.deps.deliver(session, decision.message);
  }

  /**
   * A policy rule decides at once when one matches; returns whether it did. Unless `mayAllow`, a rule
   * may only deny: an input read off the screen that may be cut or wrapped is not what an allow rule
   * was written for, so it waits for a person (or the timeout).
   */
  private applyPolicy(session: LiveSession, request: PendingRequest, { mayAllow = true }: { mayAllow?: boolean } = {}): boolean {
    const name = session.record.permissionProfile;
    if (!name || !Object.hasOwn(this.deps.config.permissionProfiles, name)) return false;
    const verdict = evaluate(name, this.deps.config.permissionProfiles[name], request.toolName, request.toolInput);
    if (!verdict || verdict.decision === 'ask') return false;
    if (verdict.decision === 'allow' && !mayAllow) {
      this.deps.logger.info({ sessionId: session.id, permissionId: request.id, rule: verdict.rule }, 'a rule would allow an input the screen may not show whole; it waits for a person');
      return false;
    }
    return this.broker.decide(session.id, request.id, {
      behavior: verdict.decision,
      by: 'rule',
      rule: verdict.rule,
      ...(verdict.decision === 'deny' ? { message: verdict.message ?? `Denied by Aegis rule ${verdict.rule}.` } : {}),
    });
  }

  private timeoutFor(session: LiveSession): { timeoutMs: number; onTimeout: 'allow' | 'deny' } {
    return permissionTimeout(this.deps.config, session.record.permissionProfile);
  }
}

/** What a dialog shows of the tool's main input, in the shape of the tool's input (the screen is all there is). */
function screenToolInput(toolName: string, screen: Extract<ScreenState, { kind: 'permission' }>): Record<string, unknown> {
  const { text } = screen.subject;
  if (toolName === 'Bash') return { command: text };
  if (toolName === 'Write' || toolName === 'Edit' || toolName === 'Read') return { file_path: text };
  if (toolName === 'WebFetch') return { url: text };
  return { detail: screen.detail };
}

/** What identifies a dialog on screen: its kind and text, so one dialog is never taken for another. */
function dialogKey(screen: ScreenState): string | null {
  if (screen.kind === 'permission') return `p:${screen.title}\n${screen.detail}`;
  if (screen.kind === 'question') return `q:${screen.question}`;
  return null;
}
