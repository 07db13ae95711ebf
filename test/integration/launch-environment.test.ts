/**
 * What Claude starts with: the variables it needs set whatever the daemon inherited, and its hook
 * secret nowhere a command it runs could read once it is up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { panePid } from '../support/hooks.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

describe("Claude's environment", () => {
  let t: TestDaemon;
  beforeAll(async () => {
    // This machine's own environment says IS_SANDBOX=yes, which Claude does not take for 1.
    t = await startTestDaemon({ config: { claudeCommand: standInClaude() }, env: { IS_SANDBOX: 'yes' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const idleSession = async (body: Record<string, unknown>) => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir(), ...body });
    expect(created.status).toBe(201);
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${created.body.id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
    return created.body as { id: string; tmux: { paneId: string } };
  };
  const environOf = (paneId: string) => readFileSync(`/proc/${panePid(t.config.tmuxSocket, paneId)}/environ`, 'utf8').split('\0');

  it.runIf(process.getuid?.() === 0)('sets IS_SANDBOX=1 for a bypassPermissions session of a root daemon, over an inherited IS_SANDBOX=yes', async () => {
    const s = await idleSession({ permissionMode: 'bypassPermissions' });
    expect(environOf(s.tmux.paneId).filter((v) => v.startsWith('IS_SANDBOX='))).toEqual(['IS_SANDBOX=1']);
  });

  it('removes the settings file holding the hook secret once Claude is up, and never puts the secret in its environment', async () => {
    const s = await idleSession({});
    await waitFor(() => !existsSync(join(t.config.stateDir, 'sessions', s.id, 'settings.json')), { what: 'the settings file to be removed' });
    const environ = environOf(s.tmux.paneId);
    const secret = environ.find((v) => v.startsWith('STAND_IN_HOOK_SECRET='))!.slice('STAND_IN_HOOK_SECRET='.length);
    expect(secret).toMatch(/^.{40,}$/);
    expect(environ.filter((v) => !v.startsWith('STAND_IN_HOOK_SECRET=') && v.includes(secret))).toEqual([]);
  });
});
