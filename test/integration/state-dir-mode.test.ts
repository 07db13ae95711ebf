/**
 * A state dir other users may enter (0777 here) is closed to its owner when the daemon starts, and the
 * daemon says so in its log.
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

describe('the state dir mode', () => {
  let t: TestDaemon | undefined;
  let dir = '';
  afterEach(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is set to 0700 when the daemon finds it open to others', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aegis-open-state-'));
    chmodSync(dir, 0o777);
    t = await startTestDaemon({ config: { stateDir: dir } });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
