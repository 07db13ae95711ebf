import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { waitFor } from '../support/wait-for.js';

describe('smoke', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a session with a prompt and reads the reply', async () => {
    const started = Date.now();
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: 'hello there' });
    console.log('create', Date.now() - started, JSON.stringify(created.body).slice(0, 400));
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle' && (await t.api('GET', `/v1/sessions/${id}/read`)).body.messages.length >= 2, { timeoutMs: 30000 });
    console.log('idle', Date.now() - started);
    const read = await t.api('GET', `/v1/sessions/${id}/read`);
    console.log(JSON.stringify(read.body, null, 1).slice(0, 2000));
    const pane = await t.api('GET', `/v1/sessions/${id}/pane`);
    console.log(pane.body.text);
  });
});
