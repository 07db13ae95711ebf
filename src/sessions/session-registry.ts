/**
 * Every session the daemon knows, by id, and the live ones by their tmux pane and window (tmux
 * reports by those), with the launches under way: an orphan sweep never races a window being made.
 */
import type { Session } from './session.js';

export class SessionRegistry {
  private readonly byId = new Map<string, Session>();
  private readonly byPane = new Map<string, Session>();
  private readonly byWindow = new Map<string, Session>();
  private launchesUnderWay = 0;
  private launchesStarted = 0;
  /** Launches under way by owner key (null: the master token or the open mode). */
  private readonly launchesByOwner = new Map<string | null, number>();

  /** Adds a session; its pane and window route tmux's reports to it until it ends. */
  add(session: Session, { live }: { live: boolean }): void {
    this.byId.set(session.id, session);
    if (!live) return;
    this.byPane.set(session.paneId, session);
    this.byWindow.set(session.windowId, session);
    session.onEnded(() => {
      if (this.byPane.get(session.paneId) === session) this.byPane.delete(session.paneId);
      if (this.byWindow.get(session.windowId) === session) this.byWindow.delete(session.windowId);
    });
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  all(): Session[] {
    return [...this.byId.values()];
  }

  byPaneId(paneId: string): Session | undefined {
    return this.byPane.get(paneId);
  }

  byWindowId(windowId: string): Session | undefined {
    return this.byWindow.get(windowId);
  }

  ownsWindow(windowId: string): boolean {
    return this.byWindow.has(windowId);
  }

  get size(): number {
    return this.byId.size;
  }

  activeCount(): number {
    return this.all().filter((s) => !s.exited).length;
  }

  /** Launches under way (they hold a place under maxSessions), of one owner when given, and how many ever started. */
  launches(owner?: string | null): { underWay: number; started: number } {
    const underWay = owner === undefined ? this.launchesUnderWay : (this.launchesByOwner.get(owner) ?? 0);
    return { underWay, started: this.launchesStarted };
  }

  /** Runs a launch for `owner`, counted while it runs. */
  async launching<T>(owner: string | null, launch: () => Promise<T>): Promise<T> {
    this.launchesUnderWay++;
    this.launchesStarted++;
    this.launchesByOwner.set(owner, (this.launchesByOwner.get(owner) ?? 0) + 1);
    try {
      return await launch();
    } finally {
      this.launchesUnderWay--;
      const left = (this.launchesByOwner.get(owner) ?? 1) - 1;
      if (left === 0) this.launchesByOwner.delete(owner);
      else this.launchesByOwner.set(owner, left);
    }
  }
}
