/**
 * The dashboard's entry: asks who it is logged in as (or shows the login), keeps the sessions live,
 * and shows the view the address's fragment names: #/ sessions, #/session/<id>, #/approvals, #/spend.
 */
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { currentSession, logout, onLoggedOut } from './api.js';
import type { AppContext, View } from './app-context.js';
import { h, show } from './dom.js';
import { SessionsStore } from './sessions-store.js';
import type { LoggedIn } from './types.js';
import { approvalsView, pendingAcross } from './views/approvals.js';
import { loginView } from './views/login.js';
import { sessionView } from './views/session.js';
import { sessionsView } from './views/sessions.js';
import { spendView } from './views/spend.js';

const root = document.getElementById('app')!;
let current: View | null = null;
let stopApp: (() => void) | null = null;

function route(app: AppContext, outlet: HTMLElement): void {
  current?.dispose();
  const [, page, id] = location.hash.split('/');
  current = page === 'session' && id ? sessionView(app, decodeURIComponent(id))
    : page === 'approvals' ? approvalsView(app)
      : page === 'spend' ? spendView(app)
        : sessionsView(app);
  show(outlet, current.element);
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.getAttribute('href') === `#/${page ?? ''}`);
}

async function startApp(auth: LoggedIn): Promise<void> {
  const store = new SessionsStore();
  const scopes = new Set(auth.identity.scopes);
  const app: AppContext = { store, identity: auth.identity, can: (scope) => scopes.has(scope) };
  const outlet = h('div', { class: 'outlet' });
  const pendingCount = h('span', { class: 'count' });
  const connection = h('span', { class: 'connection', title: 'live updates' });
  const logoutButton = auth.loginRequired === false ? null : h('button', { type: 'button', class: 'logout', onclick: () => {
    // The page's streams close first: the daemon ends them at logout, which a browser reports as an error.
    stopApp?.();
    stopApp = null;
    logout().catch(() => undefined).finally(() => { boot().catch(fatal); });
  } }, 'Log out');
  const nav = h('header', { class: 'top' },
    h('a', { href: '#/', class: 'brand' }, 'Aegis'),
    h('nav', {},
      h('a', { href: '#/' }, 'Sessions'),
      h('a', { href: '#/approvals' }, 'Approvals ', pendingCount),
      h('a', { href: '#/spend' }, 'Spend')),
    h('span', { class: 'who muted' }, auth.identity.name),
    connection, logoutButton);
  show(root, nav, outlet);
  const unsubscribe = store.subscribe(() => {
    const waiting = pendingAcross(store.list()).length;
    pendingCount.textContent = waiting ? String(waiting) : '';
    connection.classList.toggle('live', store.connected);
  });
  const onHash = () => route(app, outlet);
  window.addEventListener('hashchange', onHash);
  stopApp = () => {
    window.removeEventListener('hashchange', onHash);
    current?.dispose();
    current = null;
    unsubscribe();
    store.stop();
  };
  route(app, outlet);
  await store.start();
}

async function boot(): Promise<void> {
  onLoggedOut(() => {
    // Several requests can be refused at once: the first one goes back to the login.
    if (!stopApp) return;
    stopApp();
    stopApp = null;
    boot().catch(fatal);
  });
  const auth = await currentSession();
  if (auth) await startApp(auth);
  else show(root, loginView((session) => { startApp(session).catch(fatal); }));
}

function fatal(err: unknown): void {
  show(root, h('main', { class: 'card' }, h('p', { class: 'error' }, err instanceof Error ? err.message : String(err))));
}

boot().catch(fatal);
