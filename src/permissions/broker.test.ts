import { describe, expect, it } from 'vitest';
import { PermissionBroker, type Decision, type PendingRequest } from './broker.js';

const fields = { sessionId: 's1', kind: 'permission' as const, toolName: 'Bash', toolInput: { command: 'ls' }, suggestions: [], source: 'hook' as const };

describe('PermissionBroker', () => {
  it('decides a request once, publishing it once', async () => {
    const resolved: Array<[PendingRequest, Decision]> = [];
    const broker = new PermissionBroker({ requested: () => {}, resolved: (r, d) => resolved.push([r, d]) });
    const { request, decision } = broker.open(fields, { timeoutMs: 60_000, onTimeout: 'deny' });
    expect(broker.decide('s1', request.id, { behavior: 'allow', by: 'api' })).toBe(true);
    expect(broker.decide('s1', request.id, { behavior: 'deny', by: 'timeout' })).toBe(false);
    await expect(decision).resolves.toMatchObject({ behavior: 'allow', by: 'api' });
    expect(resolved).toHaveLength(1);
    broker.close();
  });

  it('leaves no decision unsettled when it closes: each waiter hears the daemon is stopping, and nothing is published as decided', async () => {
    const resolved: unknown[] = [];
    const broker = new PermissionBroker({ requested: () => {}, resolved: (r) => resolved.push(r) });
    const first = broker.open(fields, { timeoutMs: 60_000, onTimeout: 'deny' });
    const second = broker.open({ ...fields, sessionId: 's2' }, { timeoutMs: 60_000, onTimeout: 'allow' });
    broker.close();
    await expect(first.decision).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(second.decision).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(resolved).toEqual([]);
    expect(broker.pending('s1')).toEqual([]);
  }, 2000);

  it('lists nothing opened once it has closed: a hook call that comes in while the daemon stops hears it is stopping', async () => {
    const published: unknown[] = [];
    const broker = new PermissionBroker({ requested: (r) => published.push(r), resolved: (r) => published.push(r) });
    broker.close();
    const late = broker.open(fields, { timeoutMs: 60_000, onTimeout: 'deny' });
    await expect(late.decision).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(broker.pending('s1')).toEqual([]);
    expect(broker.decide('s1', late.request.id, { behavior: 'deny', by: 'terminal' })).toBe(false);
    expect(published).toEqual([]);
  }, 2000);
});
