/**
 * Permission latency: from a PermissionRequest hook reaching the daemon to the permission_request
 * SSE event reaching a client, and from POST /approve to Claude running the tool.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { hookSecretOf } from '../test/support/hooks.js';
import { openSse } from '../test/support/sse.js';
import { waitFor } from '../test/support/wait-for.js';
import { claudeKeepingHookSecret } from './hook-latency.js';
import { LATENCY_TABLE, latencyRow, record } from './report.js';

const HOOK_RUNS = 30;
const APPROVE_RUNS = 20;

it('hook to event, approve to tool', async () => {
  const t = await startTestDaemon({ claude: true, config: { claudeCommand: claudeKeepingHookSecret() } });
  try {
    const workDir = t.workDir();
    const id = (await t.api('POST', '/v1/sessions', { workDir })).body.id as string;
    const events = await openSse(`${t.url}/v1/sessions/${id}/events`);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'idle' });

    // Hook → event: the benchmark plays Claude's hook call itself, with the session's real secret (kept by the script that starts Claude).
    const paneId = (await t.api('GET', `/v1/sessions/${id}`)).body.tmux.paneId as string;
    const secret = hookSecretOf(t.config.tmuxSocket, paneId);
    const hookToEvent: number[] = [];
    for (let i = 0; i < HOOK_RUNS; i++) {
      const seen = events.events.length;
      const begin = performance.now();
      const held = fetch(`${t.hookUrl}/v1/hooks/PermissionRequest?session=${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': secret },
        body: JSON.stringify({ hook_event_name: 'PermissionRequest', session_id: id, tool_name: 'Bash', tool_input: { command: `echo ${i}` }, permission_suggestions: [] }),
      });
      await waitFor(() => events.events.slice(seen).some((e) => e.event === 'permission_request'), { intervalMs: 1, what: 'the event' });
      hookToEvent.push(performance.now() - begin);
      await t.api('POST', `/v1/sessions/${id}/reject`, {});
      await held;
    }

    // Approve → tool: the real Claude asks, the benchmark approves and watches for the command's file.
    const approveToTool: number[] = [];
    for (let i = 0; i < APPROVE_RUNS; i++) {
      const file = join(workDir, `ran-${i}.txt`);
      const seen = events.events.length;
      await t.api('POST', `/v1/sessions/${id}/send`, { text: `[[bash: echo ${i} > ${file}]]` });
      await waitFor(() => events.events.slice(seen).some((e) => e.event === 'permission_request'), { timeoutMs: 30_000, what: 'the request' });
      const begin = performance.now();
      await t.api('POST', `/v1/sessions/${id}/approve`, {});
      await waitFor(() => existsSync(file), { intervalMs: 1, what: 'the command to run' });
      approveToTool.push(performance.now() - begin);
      await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { timeoutMs: 30_000, what: 'idle' });
    }
    events.close();

    record('permissions', `## Permissions: hook to event, approve to tool

Method: \`bench/permissions.bench.ts\`, daemon in the benchmark's process, one session of the real Claude
Code. Hook → event: ${HOOK_RUNS} times, the benchmark POSTs a PermissionRequest hook with the session's real
secret (as Claude does) and times until a client on the session's SSE stream has the
\`permission_request\` event (the request is then rejected). Approve → tool: ${APPROVE_RUNS} times, the real Claude
asks to run a Bash command that writes a file; the time from sending \`POST /approve\` to the file
existing (polled every millisecond), then the turn is waited for until idle.

${LATENCY_TABLE}
${latencyRow('hook arrives → `permission_request` at the SSE client', hookToEvent, 1)}
${latencyRow('`POST /approve` → the command has run', approveToTool)}`);
  } finally {
    await t.close();
  }
});
