/**
 * One pending permission or question as a card: what the tool wants to do, and buttons that decide
 * it in one tap (Approve, Always, Reject with an optional message; or the question's options).
 * Without `permissions:write` the card only shows what waits.
 */
import { api } from '../api.js';
import { age, h, visibly } from '../dom.js';
import type { Pending, QuestionOption, Session } from '../types.js';
import { toolInputView } from './tool-input.js';

export interface CardContext {
  canDecide: boolean;
  /** Called after a decision went through (the store refreshes the session from its events too). */
  decided: (sessionId: string) => void;
}

const path = (session: Session, action: string) => `/v1/sessions/${encodeURIComponent(session.id)}/${action}`;

export function approvalCard(session: Session, pending: Pending, context: CardContext, isQuestion: boolean): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const buttons: HTMLButtonElement[] = [];
  const decide = async (action: string, body: unknown) => {
    for (const b of buttons) b.disabled = true;
    error.textContent = '';
    try {
      await api('POST', path(session, action), body);
      card.classList.add('decided');
      context.decided(session.id);
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
      for (const b of buttons) b.disabled = false;
    }
  };
  const button = (label: string | Array<Node | string>, cls: string, action: () => Promise<void>) => {
    const b = h('button', { class: `big ${cls}`, type: 'button', onclick: () => { action().catch(() => undefined); } }, ...(typeof label === 'string' ? [label] : label));
    buttons.push(b);
    return b;
  };

  const title = session.name ?? session.id.slice(0, 8);
  const head = h('div', { class: 'card-head' },
    h('a', { href: `#/session/${encodeURIComponent(session.id)}`, class: 'session-link' }, title),
    h('span', { class: 'muted' }, ` waiting ${age(pending.createdAt)}`));

  let body: HTMLElement;
  let actions: HTMLElement | null = null;
  if (isQuestion) {
    const options: QuestionOption[] = pending.options ?? (pending.screen?.options ?? []).map((label) => ({ label }));
    body = h('div', {}, pending.header ? h('p', { class: 'muted' }, ...visibly(pending.header)) : null, h('p', { class: 'question' }, ...visibly(pending.question ?? pending.screen?.detail ?? 'Claude asks a question')));
    if (context.canDecide) {
      actions = h('div', { class: 'actions options' },
        ...options.map((option, index) => {
          const b = button(visibly(option.label), 'option', () => decide('answer', { optionIndex: index }));
          if (option.description) b.title = option.description;
          return b;
        }));
    }
  } else {
    body = h('div', {}, h('p', { class: 'tool' }, ...visibly(pending.toolName)), toolInputView(pending.toolName, pending.toolInput));
    if (context.canDecide) {
      const message = h('input', { type: 'text', class: 'reject-message', placeholder: 'Why not (optional, told to Claude)', 'aria-label': 'Rejection message' });
      actions = h('div', { class: 'actions' },
        button('Approve', 'approve', () => decide('approve', { permissionId: pending.id })),
        button('Always', 'always', () => decide('approve', { permissionId: pending.id, always: true })),
        button('Reject', 'reject', () => decide('reject', { permissionId: pending.id, ...(message.value.trim() ? { message: message.value.trim() } : {}) })),
        message);
    }
  }
  const card = h('article', { class: `card pending ${isQuestion ? 'is-question' : 'is-permission'}`, 'data-pending-id': pending.id }, head, body, actions, error);
  return card;
}
