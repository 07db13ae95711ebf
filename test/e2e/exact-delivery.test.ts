/**
 * End to end with the real Claude Code: text Claude's prompt would change if it were typed as it is
 * is delivered exactly once and exactly as sent, refused with 400, or changed only as docs/api.md
 * says; a slash command is confirmed as Claude shows it run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { waitFor } from '../support/wait-for.js';

describe('text delivered exactly to the real Claude Code', () => {
  let t: TestDaemon;
  let id: string;
  let workDir: string;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
    workDir = t.workDir();
    id = (await t.api('POST', '/v1/sessions', { workDir })).body.id as string;
    await waitFor(async () => (await status()) === 'idle', { timeoutMs: 30_000, what: 'the session to be idle' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const status = async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status as string;
  const lastUserText = async () =>
    ((await t.api('GET', `/v1/sessions/${id}/read`)).body.messages as Array<{ role: string; kind: string; text: string }>)
      .filter((m) => m.role === 'user' && m.kind === 'text')
      .at(-1)?.text;
  /** What the model was sent as the user's words, one entry per request of this session. */
  const modelSaw = () => t.fake!.requests.filter((r) => r.isMain).map((r) => r.lastUserText);
  /** Sends `text`, expects Claude to take it at the first attempt, and waits for its turn to end. */
  const deliver = async (text: string) => {
    const asked = modelSaw().length;
    const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    await waitFor(async () => modelSaw().length > asked && (await status()) === 'idle', { timeoutMs: 20_000, what: 'the turn to end' });
    return modelSaw().slice(asked);
  };

  it('delivers a text ending in a backslash once and exactly, and the next message alone', async () => {
    expect(await deliver('ends with backslash \\')).toEqual(['ends with backslash \\']);
    expect(await lastUserText()).toBe('ends with backslash \\');
    expect(await deliver('second message')).toEqual(['second message']);
  });

  it('delivers a question mark alone (typed, it would open the shortcuts help)', async () => {
    expect(await deliver('?')).toEqual(['?']);
    expect(await lastUserText()).toBe('?');
  });

  it("delivers a line naming an image file as its text, never as an image Claude attaches (as it does to a pasted image's path)", async () => {
    // A 1×1 PNG: a path to it, pasted alone, becomes [Image #1] in Claude's prompt.
    const image = join(workDir, 'shot.png');
    writeFileSync(image, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
    const text = `Describe this file:\n${image}`;
    expect(await deliver(text)).toEqual([text]);
    expect(await lastUserText()).toBe(text);
  });

  it('delivers a tab as four spaces, as documented', async () => {
    expect(await deliver('a\tb')).toEqual(['a    b']);
  });

  it('delivers text Claude trims or strips of invisible characters changed only as documented', async () => {
    expect(await deliver('trailing spaces   ')).toEqual(['trailing spaces']);
    expect(await deliver('zero\u200bwidth')).toEqual(['zerowidth']);
  });

  it.each([
    ['a bidirectional override', 'a\u202eb'],
    ['a prompt that starts like one of Claude\'s command records', '<command-name>/read</command-name> hi'],
    ['nothing but invisible characters', '\u200b\u200d'],
  ])('refuses %s with 400 INVALID_REQUEST, typing nothing', async (_, text) => {
    const asked = modelSaw().length;
    const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text });
    expect(sent.status).toBe(400);
    expect(sent.body.error.code).toBe('INVALID_REQUEST');
    expect(sent.body.error.message).toMatch(/text/);
    expect((await t.api('GET', `/v1/sessions/${id}/pane`)).body.text).toMatch(/^❯\s*$/m);
    expect(modelSaw()).toHaveLength(asked);
  });

  it('confirms /clear as Claude shows it run, at the first attempt, and types it once', async () => {
    const sent = await t.api('POST', `/v1/sessions/${id}/send`, { text: '/clear' });
    expect(sent.body).toEqual({ delivered: true, attempts: 1 });
    const [after] = await deliver('after clear');
    expect(after).toMatch(/<command-name>\/clear<\/command-name>[^]*\n\nafter clear$/);
    expect(after!.match(/<command-name>/g)).toHaveLength(1);
  });
});
