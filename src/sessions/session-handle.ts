/**
 * What the API may do with a session: look at it and ask of it. Not what only the session and the
 * supervisor do (apply a signal, end, forget, close): a route holds a handle with these methods and
 * no others, bound to its session, so it cannot reach the rest even by a cast.
 */
import type { Session } from './session.js';

const HANDLE_METHODS = ['view', 'send', 'read', 'pane', 'interrupt', 'escape', 'permissions', 'approve', 'reject', 'answer', 'watchTerminal', 'typeKeys'] as const satisfies ReadonlyArray<keyof Session>;

export type SessionHandle = Pick<Session, (typeof HANDLE_METHODS)[number]>;

export function sessionHandle(session: Session): SessionHandle {
  const handle: Record<string, unknown> = {};
  for (const method of HANDLE_METHODS) handle[method] = session[method].bind(session);
  return Object.freeze(handle) as SessionHandle;
}
