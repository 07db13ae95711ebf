/**
 * Request data reaches tmux as data: tmux's format expansion (`#{…}`, `#(…)`) never sees a session's
 * name or work dir, and a tmux failure while delivering text is a typed answer, not a 500. Sessions run
 * a stand-in for Claude.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readlinkSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { faultyTmux, type FaultyTmux } from '../support/faulty-tmux.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

describe('request data given to tmux', () => {
  let t: TestDaemon;
  let tmuxBin: FaultyTmux;
  beforeAll(async () => {
    tmuxBin = faultyTmux();
    t = await startTestDaemon({ config: { claudeCommand: standInClaude(), tmuxBin: tmuxBin.bin } });
  });
  afterAll(async () => {
    await t?.close();
    tmuxBin?.remove();
  });

  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', t.config.tmuxSocket, ...args]).toString().trim();

  it('does not run #(…) or expand #{…} from a session name or work dir, and gives both back exactly', async () => {
    const marker = join(t.workDir('markers'), 'ran');
    const name = `#(touch ${marker}) #{session_name} ##{pane_id} -x`;
    // A directory's name cannot hold "/", so its #() job would leave its mark in the home directory.
    const homeMarker = `.aegis-test-${randomBytes(4).toString('hex')}`;
    const workDir = join(t.workDir(), `#(cd;touch ${homeMarker}) #{pane_id}`);
    mkdirSync(workDir);
    const created = await t.api('POST', '/v1/sessions', { workDir, name });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, workDir });
    expect((await t.api('GET', `/v1/sessions/${created.body.id}`)).body).toMatchObject({ name, workDir });
    const { paneId } = created.body.tmux as { paneId: string };
    expect(tmux('display-message', '-p', '-t', paneId, '#{window_name}')).toBe(name);
    const pid = tmux('display-message', '-p', '-t', paneId, '#{pane_pid}');
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(workDir);
    const ranInHome = existsSync(join(homedir(), homeMarker));
    rmSync(join(homedir(), homeMarker), { force: true });
    expect(existsSync(marker) || ranInHome).toBe(false);
  });

  it('answers 503 TMUX_UNAVAILABLE, not 500, when tmux refuses the paste buffer of a long prompt', async () => {
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() });
    const id = created.body.id as string;
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`)).body.status === 'idle', { what: 'the stand-in to look idle' });
    tmuxBin.on('buffer');
    try {
      const res = await t.api('POST', `/v1/sessions/${id}/send`, { text: 'x'.repeat(1000) });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('TMUX_UNAVAILABLE');
      expect(res.body.error.message).toMatch(/buffer/);
    } finally {
      tmuxBin.off('buffer');
    }
  });
});
