/**
 * The sessions view: every session the caller may see, live; a filter by status; and, with
 * `sessions:write`, a form to start one and buttons to interrupt or kill each.
 */
import { api } from '../api.js';
import type { AppContext, View } from '../app-context.js';
import { age, dollars, h, show, tokens } from '../dom.js';
import { STATUSES, type Session, type Tier } from '../types.js';

const NEEDS_YOU = new Set(['permission_prompt', 'asking', 'stalled']);

export function sessionsView(app: AppContext): View {
  let filter = '';
  const list = h('div', { class: 'session-list', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });
  const select = h('select', { 'aria-label': 'Filter by status', class: 'status-filter' },
    h('option', { value: '' }, 'all statuses'),
    ...STATUSES.map((s) => h('option', { value: s }, s.replace('_', ' '))));
  select.addEventListener('change', () => {
    filter = select.value;
    draw();
  });

  const act = (session: Session, action: 'interrupt' | 'kill') => {
    // A killed session is deleted: its session_exited event takes it off the list.
    const request = action === 'kill'
      ? api<Session>('DELETE', `/v1/sessions/${encodeURIComponent(session.id)}`)
      : api<{ session: Session }>('POST', `/v1/sessions/${encodeURIComponent(session.id)}/interrupt`).then((r) => app.store.put(r.session));
    request.catch((err: unknown) => {
      error.textContent = err instanceof Error ? err.message : String(err);
    });
  };

  const row = (s: Session) => {
    const pending = s.pendingPermission ? `needs approval: ${s.pendingPermission.toolName}` : s.pendingQuestion ? 'asks a question' : '';
    const usage = s.usage.inputTokens + s.usage.outputTokens + s.usage.cacheReadTokens + s.usage.cacheWriteTokens;
    const live = s.status !== 'exited';
    return h('article', { class: `session card status-${s.status}${NEEDS_YOU.has(s.status) || pending ? ' needs-you' : ''}`, 'data-session-id': s.id },
      h('div', { class: 'card-head' },
        h('a', { href: `#/session/${encodeURIComponent(s.id)}`, class: 'session-link' }, s.name ?? s.id.slice(0, 8)),
        h('span', { class: `badge status-${s.status}`, 'data-status': s.status }, s.status.replace('_', ' '))),
      pending ? h('p', { class: 'pending-note' }, h('a', { href: `#/session/${encodeURIComponent(s.id)}` }, pending)) : null,
      h('dl', { class: 'facts' },
        h('dt', {}, 'dir'), h('dd', { class: 'path' }, s.workDir),
        h('dt', {}, 'age'), h('dd', {}, age(s.createdAt)),
        h('dt', {}, 'model'), h('dd', {}, s.model ?? 'default'),
        h('dt', {}, 'spend'), h('dd', {}, `${dollars(s.usage.costUsd)} · ${tokens(usage)} tokens`)),
      live && app.can('sessions:write')
        ? h('div', { class: 'actions small' },
            h('button', { type: 'button', onclick: () => act(s, 'interrupt') }, 'Interrupt'),
            h('button', { type: 'button', class: 'reject', onclick: () => { if (confirm(`End session ${s.name ?? s.id}?`)) act(s, 'kill'); } }, 'Kill'))
        : null);
  };

  const create = app.can('sessions:write') ? createForm(app, error) : null;
  let offered = false;
  const draw = () => {
    // With nothing to list yet, the form to start a session is what the page offers first.
    if (create && !offered && app.store.loaded && app.store.sessions.size === 0) {
      create.open = true;
      offered = true;
    }
    const sessions = app.store.list().filter((s) => !filter || s.status === filter);
    show(list, ...(sessions.length ? sessions.map(row) : [h('p', { class: 'muted' }, filter ? `No ${filter} sessions.` : 'No sessions yet.')]));
  };
  const unsubscribe = app.store.subscribe(draw);
  // Ages move on without events.
  const clock = setInterval(draw, 15_000);
  draw();

  const element = h('main', { class: 'sessions-page' },
    create,
    h('div', { class: 'toolbar' }, h('h2', {}, 'Sessions'), select),
    error, list);
  return { element, dispose: () => { unsubscribe(); clearInterval(clock); } };
}

function createForm(app: AppContext, error: HTMLElement): HTMLDetailsElement {
  const workDir = h('input', { name: 'workDir', required: true, placeholder: '/srv/repos/app', 'aria-label': 'Work dir', autocomplete: 'off' });
  const prompt = h('textarea', { name: 'prompt', rows: '2', placeholder: 'What should Claude do? (optional)', 'aria-label': 'Prompt' });
  const name = h('input', { name: 'name', placeholder: 'name (optional)', 'aria-label': 'Name', autocomplete: 'off' });
  const model = h('select', { name: 'model', 'aria-label': 'Model or tier' }, h('option', { value: '' }, 'default model'));
  const custom = h('input', { name: 'customModel', placeholder: 'or a model name', 'aria-label': 'Model name', autocomplete: 'off' });
  // Left empty, the daemon's own default mode and profile apply (and a key's forced profile allows only that).
  const mode = h('select', { name: 'permissionMode', 'aria-label': 'Permission mode' },
    h('option', { value: '' }, 'default mode'),
    ...['default', 'acceptEdits', 'plan', 'bypassPermissions'].map((m) => h('option', { value: m }, m)));
  const profile = h('input', { name: 'permissionProfile', placeholder: 'permission profile (optional)', 'aria-label': 'Permission profile', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'approve' }, 'Start session');
  api<{ tiers: Tier[] }>('GET', '/v1/dev/model-tiers')
    .then(({ tiers }) => model.append(...tiers.map((t) => h('option', { value: `tier:${t.name}` }, `${t.name} (${t.model})`))))
    .catch(() => undefined);

  const form = h('form', { class: 'create' }, workDir, prompt, h('div', { class: 'row' }, name, model, custom, mode, profile), submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    const body: Record<string, unknown> = { workDir: workDir.value.trim() };
    if (mode.value) body.permissionMode = mode.value;
    if (profile.value.trim()) body.permissionProfile = profile.value.trim();
    if (prompt.value.trim()) body.prompt = prompt.value;
    if (name.value.trim()) body.name = name.value.trim();
    if (custom.value.trim()) body.model = custom.value.trim();
    else if (model.value.startsWith('tier:')) body.tier = model.value.slice(5);
    api<Session>('POST', '/v1/sessions', body)
      .then((session) => {
        app.store.put(session);
        prompt.value = '';
        location.hash = `#/session/${encodeURIComponent(session.id)}`;
      })
      .catch((err: unknown) => {
        error.textContent = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return h('details', { class: 'create card' }, h('summary', {}, 'New session'), form);
}
