/**
 * End to end with the real Claude Code: the tier a create asks for (or its prompt is routed to) is the
 * model Claude starts with, seen as the `model` of the requests the fake model API receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelRouterSchema } from '../../src/config/model-router-schema.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { waitFor } from '../support/wait-for.js';

const TIERS = { fast: 'claude-3-5-haiku-20241022', standard: 'claude-sonnet-4-20250514', power: 'claude-opus-4-20250115' };

describe('model tiers with the real Claude Code', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ claude: true, config: { modelRouter: modelRouterSchema.parse({ enabled: true, tiers: TIERS }) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The model of the first conversation request Claude sent for a session. */
  const modelAsked = async (sessionId: string) => {
    const request = await waitFor(() => t.fake!.requests.find((r) => r.isMain && r.sessionId === sessionId), { timeoutMs: 30_000, what: `a model request of ${sessionId}` });
    return request.model;
  };

  it('starts Claude with the fast model for tier "fast", and the Session shows it', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), tier: 'fast', prompt: 'Redesign the whole storage layer' });
    expect(created.status).toBe(201);
    expect(created.body.model).toBe(TIERS.fast);
    expect(await modelAsked(created.body.id)).toBe(TIERS.fast);
    expect((await t.api('GET', `/v1/sessions/${created.body.id}`)).body.model).toBe(TIERS.fast);
  });

  it('routes a prompt when neither model nor tier is given', async () => {
    const task = 'Redesign the session storage layer so it can run on Postgres';
    expect((await t.api('POST', '/v1/dev/route-task', { task })).body).toMatchObject({ tier: 'power', model: TIERS.power });
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), prompt: task });
    expect(created.body.model).toBe(TIERS.power);
    expect(await modelAsked(created.body.id)).toBe(TIERS.power);
  });

  it('lets model win over tier, and refuses an unknown tier with 400 naming the field', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), tier: 'power', model: 'claude-custom-1', prompt: 'hello' });
    expect(await modelAsked(created.body.id)).toBe('claude-custom-1');

    const refused = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), tier: 'turbo', prompt: 'hello' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { issues: [{ path: 'tier' }] } });
    expect(refused.body.error.message).toMatch(/tier "turbo" is not a configured tier \(fast, standard, power\)/);
  });
});
