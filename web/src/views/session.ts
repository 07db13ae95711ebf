/**
 * One session: its live terminal (read-only until "Take over"), what waits for a decision, the
 * transcript beside it and a box to send a message.
 */
import { api } from '../api.js';
import type { AppContext, View } from '../app-context.js';
import { age, dollars, h, show } from '../dom.js';
import { LiveTerminal } from '../terminal.js';
import type { Session } from '../types.js';
import { approvalCard } from './approval-card.js';
import { Transcript } from './transcript.js';

export function sessionView(app: AppContext, id: string): View {
  const header = h('div', { class: 'session-head' });
  const pendingArea = h('div', { class: 'pending-area' });
  const error = h('p', { class: 'error', role: 'alert' });
  const terminal = new LiveTerminal(id);
  const streamState = h('span', { class: 'muted stream-state' }, 'connecting');
  terminal.onStatus = (text) => { streamState.textContent = text; };
  terminal.onError = (message) => { error.textContent = message; };
  const transcript = new Transcript(id);

  const takeOver = h('button', { type: 'button', class: 'take-over', 'aria-pressed': 'false' }, 'Take over');
  takeOver.addEventListener('click', () => {
    const on = terminal.readOnly;
    terminal.takeOver(on);
    takeOver.textContent = on ? 'Stop typing' : 'Take over';
    takeOver.setAttribute('aria-pressed', String(on));
  });

  const text = h('textarea', { rows: '2', placeholder: 'Message to Claude', 'aria-label': 'Message to Claude', name: 'message' });
  const send = h('button', { type: 'submit', class: 'approve' }, 'Send');
  const sendForm = h('form', { class: 'send' }, text, send);
  sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    send.disabled = true;
    error.textContent = '';
    api('POST', `/v1/sessions/${encodeURIComponent(id)}/send`, { text: text.value })
      .then(() => { text.value = ''; })
      .catch((err: unknown) => { error.textContent = err instanceof Error ? err.message : String(err); })
      .finally(() => { send.disabled = false; });
  });

  let shownPending = '';
  const draw = () => {
    const s: Session | undefined = app.store.sessions.get(id);
    if (!s) {
      show(header, h('h2', {}, 'Session not found'), h('a', { href: '#/' }, 'back to sessions'));
      return;
    }
    show(header,
      h('h2', {}, s.name ?? s.id.slice(0, 8)),
      h('span', { class: `badge status-${s.status}`, 'data-status': s.status }, s.status.replace('_', ' ')),
      h('span', { class: 'muted' }, ` ${s.workDir} · ${s.model ?? 'default model'} · ${age(s.createdAt)} · ${dollars(s.usage.costUsd)}`),
      s.exit ? h('p', { class: 'muted' }, `ended: ${s.exit.reason}${s.exit.hint ? ` (${s.exit.hint})` : ''}`) : null);
    const pending = s.pendingPermission ?? s.pendingQuestion;
    const key = pending ? pending.id : '';
    if (key !== shownPending) {
      shownPending = key;
      show(pendingArea, pending ? approvalCard(s, pending, { canDecide: app.can('permissions:write'), decided: (sid) => app.store.refresh(sid) }, pending === s.pendingQuestion) : null);
    }
    takeOver.disabled = s.status === 'exited';
    send.disabled = s.status === 'exited';
  };
  const unsubscribe = app.store.subscribe(draw);
  draw();

  const canWrite = app.can('sessions:write');
  const element = h('main', { class: 'session-page' },
    header, pendingArea, error,
    h('div', { class: 'split' },
      h('section', { class: 'terminal-pane', 'aria-label': 'Terminal' },
        h('div', { class: 'toolbar' }, h('h3', {}, 'Terminal'), streamState, canWrite ? takeOver : h('span', { class: 'muted' }, 'read-only')),
        terminal.element),
      h('div', { class: 'transcript-pane' }, h('h3', {}, 'Transcript'), transcript.element, canWrite ? sendForm : null)));
  // xterm measures its font in the document: open it once the view is attached.
  queueMicrotask(() => {
    const known = app.store.sessions.get(id);
    terminal.open(known?.status === 'exited' ? (known.exit?.lastScreen ?? '') : undefined);
  });
  return { element, dispose: () => { unsubscribe(); terminal.dispose(); transcript.dispose(); } };
}
