/**
 * The control connection's own process: a `tmux -C` that attaches but fails its ready probe is ended,
 * not left running behind the failed connect. The tmux here is a script that speaks just enough of
 * control mode: it attaches, then answers every command with an error.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../process-alive.js';
import { TmuxControlClient } from './control-client.js';

describe('TmuxControlClient.connect', () => {
  const dirs: string[] = [];
  const pids: number[] = [];
  afterEach(() => {
    for (const pid of pids.splice(0)) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('ends the tmux -C process when the ready probe fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-control-'));
    dirs.push(dir);
    const pidFile = join(dir, 'pid');
    const bin = join(dir, 'tmux');
    writeFileSync(
      bin,
      `#!/bin/sh
echo $$ > '${pidFile}'
printf '%%begin 1 1 0\\n%%end 1 1 0\\n%%session-changed $0 aegis\\n'
n=2
while read -r line; do printf '%%begin 1 %s 1\\nsimulated: not ready\\n%%error 1 %s 1\\n' $n $n; n=$((n+1)); done
`,
    );
    chmodSync(bin, 0o755);

    const connecting = TmuxControlClient.connect({ tmuxBin: bin, socket: 'unused', session: 'aegis', env: { PATH: process.env.PATH }, commandTimeoutMs: 5000 });
    await expect(connecting).rejects.toThrow(/simulated: not ready/);

    const pid = Number(readFileSync(pidFile, 'utf8'));
    pids.push(pid);
    expect(isProcessAlive(pid)).toBe(false);
  });
});
