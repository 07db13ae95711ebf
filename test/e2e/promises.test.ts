/**
 * End to end with the real Claude Code: promises of docs/api.md and docs/permissions.md that only
 * Claude itself can show. Text sent during a turn is queued and runs next; `always: true` applies
 * Claude's own suggestion; and after a restart, with only the screen left, a rejection's message
 * is typed for Claude and a question takes a free-text answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { openSse, type SseClient } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

interface Message {
  role: string;
  kind: string;
  text: string;
  toolName?: string;
}

describe('promises only the real Claude can show', () => {
  let t: TestDaemon;
  let events: SseClient;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
    events = await openSse(`${t.url}/v1/events`);
  });
  afterEach(() => {
    t?.fake?.release();
  });
  afterAll(async () => {
    events?.close();
    await t?.close();
  });

  const session = async (id: string) => (await t.api('GET', `/v1/sessions/${id}`)).body;
  const messages = async (id: string) => (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Message[];
  const untilIdle = (id: string) => waitFor(async () => (await session(id)).status === 'idle', { timeoutMs: 30_000, what: 'the session to be idle' });
  const create = async (body: Record<string, unknown> = {}) => {
    const workDir = t.workDir();
    const created = await t.api('POST', '/v1/sessions', { workDir, ...body });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, workDir, created: created.body };
  };
  const mainRequests = () => t.fake!.requests.filter((r) => r.isMain);
  const permissionRequests = (id: string) => events.events.filter((e) => e.event === 'permission_request' && e.data.sessionId === id);

  it('queues text sent while a turn runs: Claude confirms it at once and runs it as the next turn', async () => {
    const { id, created } = await create({ prompt: '[[hang]]' });
    expect(created.promptDelivery).toEqual({ delivered: true, attempts: 1 });
    await waitFor(() => mainRequests().some((r) => r.lastUserText === '[[hang]]'), { what: 'the held turn to reach the model' });
    expect((await session(id)).status).toBe('working');

    const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text: 'and then this' });
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    // Confirmed while the first turn still hangs: the model has not seen the second text yet.
    expect(mainRequests().map((r) => r.lastUserText)).toEqual(['[[hang]]']);

    t.fake!.release();
    await waitFor(async () => (await messages(id)).filter((m) => m.role === 'assistant').length === 2 && (await session(id)).status === 'idle', {
      timeoutMs: 30_000,
      what: 'both turns to end',
    });
    expect((await messages(id)).map((m) => [m.role, m.kind, m.text])).toEqual([
      ['user', 'text', '[[hang]]'],
      ['assistant', 'text', 'This reply was held open and then released.'],
      ['user', 'text', 'and then this'],
      ['assistant', 'text', 'ACK 13 chars: and then this'],
    ]);
    expect(mainRequests().map((r) => r.lastUserText)).toEqual(['[[hang]]', 'and then this']);
  });

  it("applies Claude's suggestion with always: true, so the same command is not asked again, while a plain approval is", async () => {
    const command = 'npm --version';
    const run = async (always: boolean) => {
      const { id, workDir } = await create();
      await t.api('POST', `/v1/sessions/${id}/send`, { text: `[[bash: ${command}]]` });
      const request = await events.waitFor((e) => e.event === 'permission_request' && e.data.sessionId === id);
      // What Claude Code 2.1.330 proposes for this command: a project-local rule for exactly it.
      expect(request.data.suggestions).toEqual([{ type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: command }], behavior: 'allow', destination: 'localSettings' }]);
      expect((await t.api('POST', `/v1/sessions/${id}/approve`, { always })).status).toBe(200);
      await untilIdle(id);
      await t.api('POST', `/v1/sessions/${id}/send`, { text: `again [[bash: ${command}]]` });
      const second = await waitFor(async () => {
        if (permissionRequests(id).length === 2) return 'asked again';
        const results = (await messages(id)).filter((m) => m.kind === 'tool_result' && m.toolName === 'Bash');
        return results.length === 2 && (await session(id)).status === 'idle' && 'ran';
      }, { timeoutMs: 30_000, what: 'the second command to run or be asked for' });
      if (second === 'asked again') {
        await t.api('POST', `/v1/sessions/${id}/reject`, {});
        await untilIdle(id);
      }
      return { second, workDir };
    };

    const always = await run(true);
    expect(always.second).toBe('ran');
    const local = JSON.parse(readFileSync(join(always.workDir, '.claude', 'settings.local.json'), 'utf8'));
    expect(local.permissions.allow).toContain(`Bash(${command})`);

    const once = await run(false);
    expect(once.second).toBe('asked again');
    expect(existsSync(join(once.workDir, '.claude', 'settings.local.json'))).toBe(false);
  });

  // Aegis types the message right after the dialog's "No" digit (within milliseconds), while Claude
  // still shows the dialog. When Claude reads the digit, the message and its Enter as one burst, the
  // Enter answers the dialog with its selected option, "1. Yes": the rejected command runs and Claude
  // is never told the message. Seen in about one run in six; the first check below shows the cause
  // every time.
  it('types a rejection message for a dialog found only on the screen once Claude asks what to do instead: Claude is told it and nothing runs', async () => {
    const { id, workDir } = await create();
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[bash: echo nope > screen-reject.txt]]' });
    await events.waitFor((e) => e.event === 'permission_request' && e.data.sessionId === id && e.data.source === 'hook');
    // The held hook call ends with the daemon; Claude falls back to its own dialog.
    await restart();
    const [pending] = await waitFor(async () => {
      const list = (await t.api('GET', `/v1/sessions/${id}/permissions`)).body.pending as Array<{ source: string; toolName: string }>;
      return list.length > 0 && list;
    }, { timeoutMs: 15_000, what: 'the dialog to be found on the screen' });
    expect(pending).toMatchObject({ source: 'screen', toolName: 'Bash' });
    const before = mainRequests().length;

    // What Claude shows when the message is pasted (the keys still go to the pane as Aegis sends them).
    const message = 'Do not write files here; print the text instead.';
    const tmux = t.daemon.tmux;
    const { paste, capture } = tmux;
    const screensWhenTyped: string[] = [];
    tmux.paste = async (pane, text) => {
      if (text === message) screensWhenTyped.push(await capture.call(tmux, pane));
      return paste.call(tmux, pane, text);
    };

    const rejected = await t.api('POST', `/v1/sessions/${id}/reject`, { message });
    expect(rejected.status).toBe(200);
    await waitFor(() => screensWhenTyped.length > 0, { what: 'the message to be typed' });
    expect(screensWhenTyped[0]).not.toContain('Esc to cancel · Tab to amend');
    await waitFor(() => mainRequests().slice(before).some((r) => r.lastUserText.includes(message)), { timeoutMs: 20_000, what: 'the model to be told the message' });
    await untilIdle(id);
    expect(existsSync(join(workDir, 'screen-reject.txt'))).toBe(false);
    const texts = (await messages(id)).filter((m) => m.role === 'user' && m.kind === 'text').map((m) => m.text);
    expect(texts.filter((text) => text.includes(message))).toHaveLength(1);
  });

  it('answers a question found only on the screen with free text, which the tool result carries', async () => {
    const { id } = await create();
    await t.api('POST', `/v1/sessions/${id}/send`, { text: '[[ask: Which editor?|Vim|Emacs]]' });
    await events.waitFor((e) => e.event === 'question' && e.data.sessionId === id && e.data.source === 'hook');
    await restart();
    const question = await waitFor(async () => (await session(id)).pendingQuestion ?? undefined, { timeoutMs: 15_000, what: 'the question to be found on the screen' });
    expect(question).toMatchObject({ source: 'screen', question: 'Which editor?', options: [{ label: 'Vim' }, { label: 'Emacs' }] });

    const answered = await t.api('POST', `/v1/sessions/${id}/answer`, { answer: 'Helix, please' });
    expect(answered.status).toBe(200);
    expect(answered.body.answers).toEqual({ 'Which editor?': 'Helix, please' });
    const result = await waitFor(async () => (await messages(id)).find((m) => m.kind === 'tool_result' && m.toolName === 'AskUserQuestion'), {
      timeoutMs: 20_000,
      what: 'the answer in the transcript',
    });
    expect(result.text).toContain('"Which editor?"="Helix, please"');
    await untilIdle(id);
  });

  /** Restarts the daemon (held hook calls end with it) and follows the new one's events. */
  async function restart(): Promise<void> {
    events.close();
    await t.stop();
    await t.restart();
    events = await openSse(`${t.url}/v1/events`);
  }
});
