/** Everything that waits for a decision across the visible sessions, oldest first. */
import type { AppContext, View } from '../app-context.js';
import { h, show } from '../dom.js';
import type { Pending, Session } from '../types.js';
import { approvalCard } from './approval-card.js';

export function pendingAcross(sessions: Session[]): Array<{ session: Session; pending: Pending; isQuestion: boolean }> {
  const all = sessions.flatMap((session) => [
    ...(session.pendingPermission ? [{ session, pending: session.pendingPermission, isQuestion: false }] : []),
    ...(session.pendingQuestion ? [{ session, pending: session.pendingQuestion, isQuestion: true }] : []),
  ]);
  return all.sort((a, b) => a.pending.createdAt.localeCompare(b.pending.createdAt));
}

export function approvalsView(app: AppContext): View {
  const list = h('div', { class: 'approval-list' });
  let shown: string | null = null;
  const draw = () => {
    const items = pendingAcross(app.store.list());
    const key = items.map((i) => i.pending.id).join(',');
    if (key === shown) return;
    shown = key;
    show(list, ...(items.length
      ? items.map((i) => approvalCard(i.session, i.pending, { canDecide: app.can('permissions:write'), decided: (id) => app.store.refresh(id) }, i.isQuestion))
      : [h('p', { class: 'muted' }, 'Nothing waits for a decision.')]));
  };
  const unsubscribe = app.store.subscribe(draw);
  draw();
  return { element: h('main', { class: 'approvals-page' }, h('h2', {}, 'Waiting for you'), list), dispose: unsubscribe };
}
