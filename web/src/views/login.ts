/** The login form: an API key or the master token, exchanged for the session cookie. */
import { login } from '../api.js';
import { h } from '../dom.js';
import type { LoggedIn } from '../types.js';

export function loginView(loggedIn: (session: LoggedIn) => void): HTMLElement {
  const token = h('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'current-password', required: true, placeholder: 'aegis_… or the master token' });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'big approve' }, 'Log in');
  const form = h('form', { class: 'login card' },
    h('h1', {}, 'Aegis'),
    h('label', { for: 'token' }, 'API key or master token'),
    token, submit, error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    login(token.value.trim())
      .then((session) => {
        token.value = '';
        loggedIn(session);
      })
      .catch((err: unknown) => {
        error.textContent = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return h('main', { class: 'login-page' }, form);
}
