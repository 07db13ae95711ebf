/**
 * How a session's status follows a turn, as docs/api.md's status table says, shown against the fake
 * Claude: the Stop hook makes a session idle only once the reply it announced is in the transcript,
 * and for a moment after a hook set the status, a screen still showing the old state is not believed.
 */
import { appendFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClaudeCommand, fakeClaudeLog } from '../support/fake-claude.js';
import { callHook, hookSecretOf } from '../support/hooks.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

/** How long a hook's word outweighs the screen (docs/api.md: 1.5 s). */
const HOOK_PRECEDENCE_MS = 1500;

describe("a session's status through a turn", () => {
  let t: TestDaemon;
  let events: SseClient;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: fakeClaudeCommand(), allowedRequestEnv: ['FAKE_CLAUDE_SCRIPT'] } });
    events = await openSse(`${t.url}/v1/events`);
  });
  afterAll(async () => {
    events?.close();
    await t?.close();
  });

  const session = async (script: string) => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir, env: { FAKE_CLAUDE_SCRIPT: script } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the fake Claude to be idle' });
    return { id, workDir, log: () => fakeClaudeLog(workDir, id) };
  };
  const story = (id: string) =>
    events.events
      .filter((e) => e.data.sessionId === id && (e.event === 'status_changed' || e.event === 'message'))
      .map((e) => (e.event === 'status_changed' ? `${e.data.from}>${e.data.to}` : `${e.data.role}: ${e.data.text}`));

  it('never ends a turn on a Stop while the transcript shows a tool running (a forged Stop)', async () => {
    // The fake Claude takes the prompt and works on it for a minute; the transcript then shows a tool it runs.
    const s = await session('turn-ms=60000');
    expect((await t.api('POST', `/v1/sessions/${s.id}/send`, { text: 'run a tool' })).body).toMatchObject({ delivered: true });
    const transcript = join(t.config.stateDir, '..', 'claude-config', 'projects', realpathSync(s.workDir).replace(/[^A-Za-z0-9]/g, '-'), `${s.id}.jsonl`);
    const toolUse = { type: 'tool_use', id: 'toolu_forged_stop', name: 'Bash', input: { command: 'sleep 60' } };
    appendFileSync(transcript, `${JSON.stringify({ type: 'assistant', uuid: 'a-tool', message: { id: 'msg_tool', role: 'assistant', content: [toolUse] } })}\n`);
    await waitFor(async () => ((await t.api('GET', `/v1/sessions/${s.id}/read`)).body.messages as Array<{ kind: string }>).some((m) => m.kind === 'tool_use'), { what: 'the tool in the transcript' });
    const view = (await t.api('GET', `/v1/sessions/${s.id}`)).body;
    expect(view.status).toBe('working');
    const secret = hookSecretOf(t.config.tmuxSocket, view.tmux.paneId);
    expect((await callHook(t.hookUrl, 'Stop', { id: s.id, secret }, { last_assistant_message: '', stop_hook_active: false })).status).toBe(200);
    // A Stop that is believed ends the turn as it is handled, before its answer: the status would be idle now.
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('working');
  });

  it('turns idle only once the reply the Stop hook announced is in the transcript', async () => {
    // Stop comes a second before the reply is written.
    const s = await session('reply-after-stop=1000');
    expect((await t.api('POST', `/v1/sessions/${s.id}/send`, { text: 'reply late' })).body).toMatchObject({ delivered: true });
    await waitFor(() => s.log().some((e) => e.event === 'hook' && e.name === 'Stop'), { what: 'the Stop hook' });
    expect((await t.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('working');
    await events.waitFor((e) => e.data.sessionId === s.id && e.event === 'status_changed' && e.data.to === 'idle' && e.data.from === 'working');
    expect(story(s.id)).toEqual(['starting>idle', 'idle>working', 'user: reply late', 'assistant: ACK: reply late', 'working>idle']);
  });

  it('keeps the status a hook set for 1.5 s although the screen still shows the old state, then believes the screen', async () => {
    // The turn runs for 6 s, but the screen keeps showing the idle prompt throughout.
    const s = await session('quiet-turn,turn-ms=6000');
    expect((await t.api('POST', `/v1/sessions/${s.id}/send`, { text: 'quietly' })).body).toMatchObject({ delivered: true });
    const working = await events.waitFor((e) => e.data.sessionId === s.id && e.event === 'status_changed' && e.data.to === 'working');
    const idle = await events.waitFor((e) => e.data.sessionId === s.id && e.event === 'status_changed' && e.data.from === 'working', 10_000);
    expect(idle.data.to).toBe('idle');
    const held = Date.parse(idle.data.at) - Date.parse(working.data.at);
    expect(held).toBeGreaterThanOrEqual(HOOK_PRECEDENCE_MS);
    // The screen, not the end of the turn, made it idle: the reply came later (compared by time, so a
    // loaded machine that reads the log after the turn ended still judges the order).
    const reply = s.log().find((e) => e.event === 'reply');
    expect(reply === undefined || reply.at > Date.parse(idle.data.at), `idle at ${idle.data.at}, reply at ${reply?.at}`).toBe(true);
  });
});
