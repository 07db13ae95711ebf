/** What every view is handed: the live sessions and what the logged-in identity may do. */
import type { SessionsStore } from './sessions-store.js';
import type { Identity } from './types.js';

export interface AppContext {
  store: SessionsStore;
  identity: Identity;
  can(scope: string): boolean;
}

/** A view draws into its element and is told when it is left, to close its streams. */
export interface View {
  element: HTMLElement;
  dispose(): void;
}
