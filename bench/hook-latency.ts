/**
 * Hook arrival → SSE client: the benchmark plays Claude's PermissionRequest hook for a session (with the
 * session's real secret, on the daemon's hook listener) and times until a `/v1/events` client has the
 * session's `permission_request` event; the request is then rejected and the next one sent. With
 * several sessions, the hooks go to each in turn.
 */
import type { TestDaemon } from '../test/support/daemon.js';
import { HOOK_SECRET_HEADER } from '../src/claude/launch.js';
import { hookBody, hookSecretOf } from '../test/support/hooks.js';
import { jsonRequest } from './lean-http.js';
import { standInScript } from '../test/support/stand-in.js';
import { CLAUDE_BIN } from '../test/support/daemon.js';
import { sessionsAtRest } from './sessions-at-rest.js';
import { openCountingSse } from './sse-counter.js';

/**
 * The real Claude Code, started by a script that keeps the hook secret of the session's settings in its
 * environment (as the stand-ins do), so that the benchmark can call the session's hooks as Claude does.
 */
export function claudeKeepingHookSecret(): string {
  return standInScript(`exec '${CLAUDE_BIN}' "$@"`);
}

/** Milliseconds from sending each hook to the event at the client; `events` hooks over the sessions in turn. */
export async function hookToSse(t: TestDaemon, ids: readonly string[], events: number): Promise<number[]> {
  const sessions = await Promise.all(
    ids.map(async (id) => {
      const paneId = (await t.api('GET', `/v1/sessions/${id}`)).body.tmux.paneId as string;
      return { id, secret: hookSecretOf(t.config.tmuxSocket, paneId) };
    }),
  );
  let waiting: { id: string; resolve: (at: number) => void } | null = null;
  const client = await openCountingSse(`${t.url}/v1/events`, (type, data: { sessionId?: string }) => {
    if (type === 'permission_request' && waiting !== null && data.sessionId === waiting.id) waiting.resolve(performance.now());
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < events; i++) {
      const session = sessions[i % sessions.length]!;
      const arrived = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no permission_request for ${session.id} within 10 s`)), 10_000);
        waiting = { id: session.id, resolve: (at) => (clearTimeout(timer), resolve(at)) };
      });
      const begin = performance.now();
      const held = jsonRequest('POST', `${t.hookUrl}/v1/hooks/PermissionRequest?session=${session.id}`, hookBody('PermissionRequest', session, { tool_name: 'Bash', tool_input: { command: `echo ${i}` }, permission_suggestions: [] }), { [HOOK_SECRET_HEADER]: session.secret });
      samples.push((await arrived) - begin);
      waiting = null;
      const rejected = await t.api('POST', `/v1/sessions/${session.id}/reject`, {});
      if (rejected.status !== 200) throw new Error(`reject answered ${rejected.status}: ${JSON.stringify(rejected.body)}`);
      await held;
    }
  } finally {
    client.close();
  }
  return samples;
}

export interface HookLatencySizes {
  sessions: number;
  events: number;
  /** After every session is idle, before the first hook. */
  settleSeconds: number;
}

/** A daemon with `sessions` idle sessions of the real Claude Code, `events` hooks timed over them, then closed. */
export async function runHookLatency({ sessions, events, settleSeconds }: HookLatencySizes): Promise<number[]> {
  const rest = await sessionsAtRest(sessions, { settleSeconds, config: { claudeCommand: claudeKeepingHookSecret() } });
  try {
    return await hookToSse(rest.t, rest.ids, events);
  } finally {
    await rest.t.close();
  }
}
