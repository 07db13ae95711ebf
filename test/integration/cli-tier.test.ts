/**
 * `aegis create --tier`: the built program asks for a tier, and the session starts with that tier's
 * model; an unknown tier fails with the daemon's one-line reason.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

describe('aegis create --tier', () => {
  let td: TestDaemon;
  let scratch: string;
  beforeAll(async () => {
    // The CLI runs from dist/, which the suite's global setup builds from the current sources.
    scratch = mkdtempSync(join(tmpdir(), 'aegis-cli-tier-'));
    const standIn = join(scratch, 'stand-in-claude.sh');
    writeFileSync(standIn, '#!/bin/sh\n# Takes Claude\'s place in the pane: accepts any arguments and waits.\nexec sleep 600\n');
    chmodSync(standIn, 0o755);
    td = await startTestDaemon({ config: { claudeCommand: standIn } });
  }, 120_000);
  afterAll(async () => {
    await td?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("starts the session with the tier's model", async () => {
    const created = await cli(['create', td.workDir(), '--tier', 'fast', '--wait', '0', '--json', '--url', td.url], { cwd: scratch });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ model: 'haiku', reused: false });
  });

  it('fails on an unknown tier, naming the tiers there are', async () => {
    const refused = await cli(['create', td.workDir(), '--tier', 'turbo', '--wait', '0', '--url', td.url], { cwd: scratch });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/tier "turbo" is not a configured tier \(fast, standard, power\)/);
    expect(refused.stdout).toBe('');
  });
});
