/**
 * End to end with the real Claude Code: after /clear, Claude writes a new transcript, and the session
 * goes on across both: its usage only ever grows, and its conversation holds what was said before and
 * after, also once the daemon has restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { waitFor } from '../support/wait-for.js';

interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

describe('/clear with the real Claude Code', () => {
  let t: TestDaemon;
  let id: string;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
    id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    await waitFor(async () => (await session()).status === 'idle', { timeoutMs: 30_000, what: 'the session to be idle' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const session = async () => (await t.api('GET', `/v1/sessions/${id}`)).body as { status: string; usage: Usage };
  const asked = () => t.fake!.requests.filter((r) => r.isMain).length;
  const userTexts = async () =>
    ((await t.api('GET', `/v1/sessions/${id}/read?limit=1000`)).body.messages as Array<{ role: string; kind: string; text: string }>)
      .filter((m) => m.role === 'user' && m.kind === 'text')
      .map((m) => m.text);
  /** Sends `text` and waits until the model was asked and the turn ended. */
  const turn = async (text: string) => {
    const before = asked();
    expect((await t.api('POST', `/v1/sessions/${id}/send`, { text })).body).toMatchObject({ delivered: true });
    await waitFor(async () => asked() > before && (await session()).status === 'idle', { timeoutMs: 30_000, what: `the turn of "${text}" to end` });
  };
  const grewFrom = (before: Usage, after: Usage) => {
    for (const field of ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'costUsd'] as const) {
      expect(after[field], field).toBeGreaterThanOrEqual(before[field]);
    }
  };

  it('keeps growing its usage after /clear, and spans both transcripts in its conversation, also after a restart', async () => {
    await turn('before the clear');
    const first = await waitFor(async () => {
      const { usage } = await session();
      return usage.inputTokens > 0 && usage.outputTokens > 0 && usage;
    }, { what: 'the first turn to be counted' });

    expect((await t.api('POST', `/v1/sessions/${id}/send`, { text: '/clear' })).body).toMatchObject({ delivered: true });
    grewFrom(first, (await session()).usage);
    await turn('after the clear');
    const second = await waitFor(async () => {
      const { usage } = await session();
      return usage.inputTokens > first.inputTokens && usage.outputTokens > first.outputTokens && usage;
    }, { what: 'the turn after /clear to be added' });
    grewFrom(first, second);

    const texts = await userTexts();
    expect(texts.some((text) => text.includes('before the clear'))).toBe(true);
    expect(texts.some((text) => text.includes('after the clear'))).toBe(true);

    await t.stop();
    // Re-adopted, the session reads both transcripts again; what it shows meanwhile never falls back.
    await t.restart();
    grewFrom(second, (await session()).usage);
    expect(await userTexts()).toEqual(texts);
    // Read again whole, each response still counts once.
    expect((await session()).usage).toEqual(second);
  });
});
