/**
 * Hook calls as Claude makes them, for tests whose sessions run a stand-in: the session's secret is
 * read from the stand-in's environment (/proc), where the stand-in put what its settings file held.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HOOK_SECRET_HEADER } from '../../src/claude/launch.js';
import { STAND_IN_SECRET_ENV } from './stand-in.js';

export function panePid(socket: string, paneId: string): number {
  return Number(execFileSync('tmux', ['-L', socket, 'display-message', '-p', '-t', paneId, '#{pane_pid}']).toString().trim());
}

export function hookSecretOf(socket: string, paneId: string): string {
  const environ = readFileSync(`/proc/${panePid(socket, paneId)}/environ`, 'utf8').split('\0');
  return secretInEnviron(environ, paneId);
}

/** The hook secret a stand-in keeps in its environment (`/proc/<pid>/environ`, split at NULs). */
export function secretInEnviron(environ: readonly string[], what = 'the stand-in'): string {
  const entry = environ.find((v) => v.startsWith(`${STAND_IN_SECRET_ENV}=`));
  if (!entry) throw new Error(`${what} has no ${STAND_IN_SECRET_ENV} in its environment`);
  return entry.slice(STAND_IN_SECRET_ENV.length + 1);
}

/** A hook call's body, as Claude sends it: its event and session, and what the event says. */
export function hookBody(event: string, session: { id: string }, body: Record<string, unknown>): Record<string, unknown> {
  return { hook_event_name: event, session_id: session.id, ...body };
}

export function callHook(
  baseUrl: string,
  event: string,
  session: { id: string; secret: string },
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${baseUrl}/v1/hooks/${event}?session=${session.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [HOOK_SECRET_HEADER]: session.secret },
    body: JSON.stringify(hookBody(event, session, body)),
    ...(signal ? { signal } : {}),
  });
}
