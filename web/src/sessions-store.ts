/**
 * Every session the caller may see, kept live: listed once, then each event of /v1/events about a
 * session fetches that session again (the event says what changed; the session object says what it
 * is now, so the page never rebuilds a status from events). A reconnect lists everything again.
 */
import { api, ApiError } from './api.js';
import type { Session } from './types.js';

type Listener = () => void;

export class SessionsStore {
  readonly sessions = new Map<string, Session>();
  private readonly listeners = new Set<Listener>();
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private events: EventSource | null = null;
  connected = false;
  /** Whether the list has been read once (before that, no session listed does not mean there is none). */
  loaded = false;

  async start(): Promise<void> {
    this.events = new EventSource('/v1/events');
    this.events.addEventListener('open', () => {
      this.connected = true;
      this.reloadAll().catch(() => undefined);
    });
    this.events.addEventListener('error', () => {
      this.connected = false;
      this.notify();
    });
    const onEvent = (event: MessageEvent<string>) => {
      const data = JSON.parse(event.data) as { sessionId?: string; type?: string; to?: string; reason?: string };
      if (typeof data.sessionId !== 'string') return;
      // An ending is read once it is complete (session_exited): a deleted session is gone by then,
      // and asking for it would only be answered 404.
      if (data.type === 'status_changed' && data.to === 'exited') return;
      if (data.type === 'session_exited' && data.reason === 'deleted') {
        this.sessions.delete(data.sessionId);
        this.notify();
        return;
      }
      this.refresh(data.sessionId);
    };
    for (const type of ['session_created', 'status_changed', 'permission_request', 'permission_resolved', 'question', 'stalled', 'session_exited', 'session_reaped', 'turn_failed', 'budget_warning', 'budget_exceeded', 'message']) {
      this.events.addEventListener(type, onEvent);
    }
    await this.reloadAll();
  }

  stop(): void {
    this.events?.close();
    this.events = null;
    this.sessions.clear();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): Session[] {
    return [...this.sessions.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async reloadAll(): Promise<void> {
    const { sessions } = await api<{ sessions: Session[] }>('GET', '/v1/sessions');
    this.sessions.clear();
    for (const session of sessions) this.sessions.set(session.id, session);
    this.loaded = true;
    this.notify();
  }

  /** Fetches one session again; events that come while it is fetched fetch it once more after. */
  refresh(id: string): void {
    if (this.refreshing.has(id)) {
      this.again.add(id);
      return;
    }
    const done = api<Session>('GET', `/v1/sessions/${encodeURIComponent(id)}`)
      .then((session) => {
        this.sessions.set(id, session);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) this.sessions.delete(id);
      })
      .finally(() => {
        this.refreshing.delete(id);
        this.notify();
        if (this.again.delete(id)) this.refresh(id);
      });
    this.refreshing.set(id, done);
  }

  /** Keeps a session the page just received (from a create, kill or interrupt answer). */
  put(session: Session): void {
    this.sessions.set(session.id, session);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
