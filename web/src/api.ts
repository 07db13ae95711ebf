/**
 * Requests to the daemon's /v1 from the page: same origin only, the login cookie carried by the
 * browser, and the CSRF token the login returned on every request that changes something. The token
 * is kept in the origin's local storage, which a page of another port cannot read (the cookie, which
 * a browser sends to every port of the host, it could): the daemon gives it at login only, so a
 * reloaded page or another tab reads it there, and a page without it logs in again.
 */
import type { AuthSession, LoggedIn } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const CSRF_STORAGE_KEY = 'aegis.csrfToken';
let loggedOut: () => void = () => undefined;

/** Called when the daemon no longer takes the page's login (it expired, or was ended elsewhere). */
export function onLoggedOut(callback: () => void): void {
  loggedOut = callback;
}

function csrfToken(): string {
  return localStorage.getItem(CSRF_STORAGE_KEY) ?? '';
}

function setCsrfToken(token: string | null | undefined): void {
  if (token) localStorage.setItem(CSRF_STORAGE_KEY, token);
  else localStorage.removeItem(CSRF_STORAGE_KEY);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = method === 'GET' ? '' : csrfToken();
  if (token) headers['x-csrf-token'] = token;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401 && !path.startsWith('/v1/auth/')) {
      setCsrfToken(undefined);
      loggedOut();
    }
    throw new ApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `${method} ${path}: ${response.status}`);
  }
  return parsed as T;
}

/** Who the page is logged in as, or null when the daemon wants a login first. */
export async function currentSession(): Promise<LoggedIn | null> {
  try {
    const session = await api<AuthSession>('GET', '/v1/auth/session');
    if (session.identity === null) return null;
    // Logged in by a cookie whose CSRF token this page does not hold (storage cleared): log in again.
    if (session.loginRequired && !csrfToken()) return null;
    return { ...session, identity: session.identity };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function login(token: string): Promise<LoggedIn> {
  const session = await api<LoggedIn>('POST', '/v1/auth/login', { token });
  setCsrfToken(session.csrfToken);
  return session;
}

export async function logout(): Promise<void> {
  await api('POST', '/v1/auth/logout');
  setCsrfToken(undefined);
}
