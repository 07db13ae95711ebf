/**
 * Hook calls as Claude makes them, for tests whose sessions run a stand-in: the session's secret is
 * read from the stand-in's environment (/proc), as any program in the session could.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function panePid(socket: string, paneId: string): number {
  return Number(execFileSync('tmux', ['-L', socket, 'display-message', '-p', '-t', paneId, '#{pane_pid}']).toString().trim());
}

export function hookSecretOf(socket: string, paneId: string): string {
  const environ = readFileSync(`/proc/${panePid(socket, paneId)}/environ`, 'utf8').split('\0');
  const entry = environ.find((v) => v.startsWith('AEGIS_HOOK_SECRET='));
  if (!entry) throw new Error(`pane ${paneId} has no AEGIS_HOOK_SECRET in its environment`);
  return entry.slice('AEGIS_HOOK_SECRET='.length);
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
    headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': session.secret },
    body: JSON.stringify({ hook_event_name: event, session_id: session.id, ...body }),
    ...(signal ? { signal } : {}),
  });
}
