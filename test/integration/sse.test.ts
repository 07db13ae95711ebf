import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

describe('SSE streams', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() }, sse: { keepAliveMs: 50 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const sseConnections = async () => (await t.api('GET', '/v1/diagnostics')).body.connections.sse as number;

  it('sends keep-alive comments on an idle stream', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/v1/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    await waitFor(async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return (text.match(/: keep-alive/g) ?? []).length >= 2;
    }, { what: 'two keep-alive comments' });
    expect(text.startsWith('retry: ')).toBe(true);
    controller.abort();
  });

  it("carries every answer's security headers, with the stream's own Cache-Control", async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/v1/events`, { signal: controller.signal });
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-cache, no-transform',
    });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    controller.abort();
  });

  it('forgets clients that disconnect', async () => {
    await waitFor(async () => (await sseConnections()) === 0, { what: 'earlier streams to be gone' });
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    await Promise.all(controllers.map((c) => fetch(`${t.url}/v1/events`, { signal: c.signal })));
    expect(await sseConnections()).toBe(5);
    for (const c of controllers) c.abort();
    await waitFor(async () => (await sseConnections()) === 0, { what: 'the streams to be closed' });
  });

  it('delivers events in id order with the contract fields, replaying from Last-Event-ID', async () => {
    const first = await fetch(`${t.url}/v1/events`);
    const reader = first.body!.getReader();
    const id = (await t.api('POST', '/v1/sessions', { workDir: t.workDir() })).body.id as string;
    let text = '';
    await waitFor(async () => {
      text += new TextDecoder().decode((await reader.read()).value);
      return text.includes('event: session_created');
    }, { what: 'session_created' });
    await reader.cancel();
    const match = /id: (\d+)\nevent: session_created\ndata: (.*)\n/.exec(text)!;
    expect(JSON.parse(match[2]!)).toMatchObject({ id: Number(match[1]), type: 'session_created', sessionId: id, at: expect.any(String), session: { id } });

    await t.api('DELETE', `/v1/sessions/${id}`);
    const replay = await fetch(`${t.url}/v1/sessions/${id}/events`, { headers: { 'last-event-id': match[1]! } });
    expect(replay.status).toBe(404); // the session is gone; the global stream still replays:
    const global = await fetch(`${t.url}/v1/events`, { headers: { 'last-event-id': match[1]! } });
    const globalReader = global.body!.getReader();
    let replayed = '';
    await waitFor(async () => {
      replayed += new TextDecoder().decode((await globalReader.read()).value);
      return replayed.includes('event: session_exited');
    }, { what: 'the missed session_exited' });
    await globalReader.cancel();
    expect(replayed).not.toContain('event: session_created');
    const ids = [...replayed.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((n, i) => n > Number(match[1]) && (i === 0 || n > ids[i - 1]!))).toBe(true);
  });
});
