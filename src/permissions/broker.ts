/**
 * The PermissionBroker keeps every pending request (a tool call waiting for permission, or a
 * question Claude asked) until something decides it: an API client, a policy rule, the timeout, or a
 * person at the terminal. Each request is decided exactly once; the decision goes back to whoever is
 * waiting (the held hook call, or the keystrokes of the screen fallback) and is published.
 */
import { randomUUID } from 'node:crypto';
import { AegisError } from '../errors.js';

export type RequestSource = 'hook' | 'screen';

export interface QuestionOption {
  label: string;
  description?: string;
}

export interface Question {
  question: string;
  header?: string;
  options: QuestionOption[];
  multiSelect?: boolean;
}

export interface PendingRequest {
  id: string;
  sessionId: string;
  kind: 'permission' | 'question';
  toolName: string;
  toolInput: unknown;
  suggestions: unknown[];
  source: RequestSource;
  createdAt: string;
  expiresAt: string;
  /** For questions: what was asked. */
  questions?: Question[];
  /**
   * For screen requests: the dialog's title, what it says below it and its options as shown, and
   * whether the screen shows the tool's whole input (when not, a rule can only deny it).
   */
  screen?: { title: string; detail: string; options: string[]; inputComplete: boolean };
}

export type DecisionBy = 'api' | 'rule' | 'timeout' | 'terminal' | 'session_ended';

export interface Decision {
  behavior: 'allow' | 'deny';
  by: DecisionBy;
  message?: string;
  /** Apply Claude's own "always allow" suggestion. */
  always?: boolean;
  /** For questions: the answer per question text. */
  answers?: Record<string, string>;
  rule?: string;
  keyId?: string | null;
}

export interface BrokerEvents {
  requested(request: PendingRequest): void;
  resolved(request: PendingRequest, decision: Decision): void;
}

interface Entry {
  request: PendingRequest;
  settle: (decision: Decision) => void;
  abandon: (reason: Error) => void;
  timer: NodeJS.Timeout;
}

export class PermissionBroker {
  private readonly bySession = new Map<string, Entry[]>();
  private closed = false;

  constructor(private readonly events: BrokerEvents) {}

  /**
   * Records a request and returns it with the promise of its decision. After `timeoutMs` with no
   * decision, `onTimeout` decides. Once the broker has closed, the decision is at once the daemon stopping.
   * `earlier` gives the id and creation time of the same request as an earlier daemon listed it.
   */
  open(
    fields: Omit<PendingRequest, 'id' | 'createdAt' | 'expiresAt'>,
    { timeoutMs, onTimeout }: { timeoutMs: number; onTimeout: 'allow' | 'deny' },
    earlier?: { id: string; createdAt: string },
  ): { request: PendingRequest; decision: Promise<Decision> } {
    const now = Date.now();
    const request: PendingRequest = {
      id: earlier?.id ?? randomUUID(),
      ...fields,
      createdAt: earlier?.createdAt ?? new Date(now).toISOString(),
      expiresAt: new Date(now + timeoutMs).toISOString(),
    };
    let settle!: (decision: Decision) => void;
    let abandon!: (reason: Error) => void;
    const decision = new Promise<Decision>((resolve, reject) => {
      settle = resolve;
      abandon = reject;
    });
    // Whoever awaits the decision sees the rejection too; this only keeps an unawaited one quiet.
    decision.catch(() => {});
    if (this.closed) {
      abandon(stopping());
      return { request, decision };
    }
    const timer = setTimeout(() => {
      this.decide(request.sessionId, request.id, {
        behavior: onTimeout,
        by: 'timeout',
        ...(onTimeout === 'deny' ? { message: `No decision within ${Math.round(timeoutMs / 1000)} s; denied by Aegis.` } : {}),
      });
    }, timeoutMs);
    timer.unref();
    const list = this.bySession.get(request.sessionId) ?? [];
    list.push({ request, settle, abandon, timer });
    this.bySession.set(request.sessionId, list);
    this.events.requested(request);
    return { request, decision };
  }

  pending(sessionId: string, kind?: PendingRequest['kind']): PendingRequest[] {
    return (this.bySession.get(sessionId) ?? []).map((e) => e.request).filter((r) => !kind || r.kind === kind);
  }

  /** The request `id`, or the oldest of `kind` when no id is given; 409/404 when there is none. */
  find(sessionId: string, kind: PendingRequest['kind'], id?: string): PendingRequest {
    const pending = this.pending(sessionId, kind);
    if (id) {
      const found = pending.find((r) => r.id === id);
      if (!found) throw new AegisError('PERMISSION_NOT_FOUND', `no pending ${kind} ${id} in session ${sessionId}`, { permissionId: id });
      return found;
    }
    const oldest = pending[0];
    if (!oldest) throw new AegisError('NOTHING_PENDING', `session ${sessionId} has no pending ${kind}`, { sessionId });
    return oldest;
  }

  /** Decides a request once; a request already decided is left as it was (returns false). */
  decide(sessionId: string, id: string, decision: Decision): boolean {
    const list = this.bySession.get(sessionId);
    const index = list?.findIndex((e) => e.request.id === id) ?? -1;
    if (!list || index === -1) return false;
    const [entry] = list.splice(index, 1);
    if (list.length === 0) this.bySession.delete(sessionId);
    clearTimeout(entry!.timer);
    entry!.settle(decision);
    this.events.resolved(entry!.request, decision);
    return true;
  }

  /** Decides every pending request of a session the same way (the session moved on or ended). */
  decideAll(sessionId: string, decision: Decision, filter: (r: PendingRequest) => boolean = () => true): void {
    for (const request of this.pending(sessionId).filter(filter)) this.decide(sessionId, request.id, decision);
  }

  /**
   * Ends every request without deciding it: when the daemon stops, nothing is allowed or denied on its
   * way out. Whoever waits is told the daemon is stopping (a held hook call answers 503, so Claude
   * falls back to its own dialog, which a restarted daemon finds on the screen).
   */
  close(): void {
    this.closed = true;
    for (const entries of this.bySession.values()) {
      for (const entry of entries) {
        clearTimeout(entry.timer);
        entry.abandon(stopping());
      }
    }
    this.bySession.clear();
  }
}

function stopping(): AegisError {
  return new AegisError('SHUTTING_DOWN', 'Aegis is stopping; the request was left undecided');
}
