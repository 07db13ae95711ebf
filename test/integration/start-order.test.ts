/**
 * Nothing is served before the hook address is known: a session created in that moment would get
 * hook URLs with no host, and its hooks would never arrive. The hook listener's start is held here
 * until the test lets it go, and meanwhile the API's port must not answer at all.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { waitFor } from '../support/wait-for.js';

const gate = vi.hoisted(() => ({ held: false, reached: false, release: null as (() => void) | null }));

vi.mock('../../src/http/hook-listener.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/http/hook-listener.js')>();
  return {
    ...actual,
    listenForHooks: async (...args: Parameters<typeof actual.listenForHooks>) => {
      if (gate.held) {
        gate.reached = true;
        await new Promise<void>((resolve) => (gate.release = resolve));
      }
      return actual.listenForHooks(...args);
    },
  };
});

describe('the order of a start', () => {
  let starting: Promise<TestDaemon> | undefined;
  afterEach(async () => {
    gate.held = false;
    gate.release?.();
    await (await starting)?.close();
    starting = undefined;
  });

  it('serves nothing until the hook listener listens', async () => {
    const port = await freePort();
    gate.held = true;
    starting = startTestDaemon({ config: { port } });
    await waitFor(() => gate.reached, { what: 'the start to reach the hook listener' });
    const answer = await fetch(`http://127.0.0.1:${port}/v1/health`).then(
      (res) => res.status,
      () => 'refused',
    );
    expect(answer).toBe('refused');
    gate.held = false;
    gate.release!();
    const t = await starting;
    expect(t.hookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await t.api('GET', '/v1/health')).status).toBe(200);
  });
});
