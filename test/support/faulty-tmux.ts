/**
 * A tmux executable that misbehaves on demand, for `tmuxBin`: it runs the real tmux, except that while
 * a fault is switched on it fails in a way tmux itself could. Faults are switched by files, so a test
 * turns them on and off while the daemon runs.
 *
 * - `hasSession`: `has-session` fails with an unexpected message (not "no server", not "can't find").
 * - `buffer`: storing a paste buffer fails, whether by `load-buffer` on a command line or by a
 *   `set-buffer` written to a control-mode connection.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TmuxFault = 'hasSession' | 'buffer';

export interface FaultyTmux {
  /** The wrapper to use as `tmuxBin`. */
  bin: string;
  on(fault: TmuxFault): void;
  off(fault: TmuxFault): void;
  /** How many times `has-session` was run so far. */
  hasSessionCalls(): number;
  remove(): void;
}

export function faultyTmux(): FaultyTmux {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-faulty-tmux-'));
  const real = execFileSync('sh', ['-c', 'command -v tmux']).toString().trim();
  const bin = join(dir, 'tmux');
  writeFileSync(
    bin,
    `#!/bin/sh
dir='${dir}'
control=
for arg in "$@"; do
  case "$arg" in
    has-session) echo >> "$dir/has-session.calls"; if [ -e "$dir/hasSession" ]; then echo "tmux: simulated trouble (resource temporarily unavailable)" >&2; exit 1; fi ;;
    load-buffer) if [ -e "$dir/buffer" ]; then echo "simulated: load-buffer failed" >&2; exit 1; fi ;;
    -C) control=1 ;;
  esac
done
if [ -n "$control" ]; then
  # Commands written to the control connection pass through a filter that gives a set-buffer an
  # invalid flag; the wrapper ends when tmux does, as tmux itself would.
  fifo="$dir/control.$$"
  mkfifo "$fifo"
  exec 3<&0
  perl -pe 'BEGIN { $| = 1 } s/^set-buffer /set-buffer -Z / if -e "'"$dir"'/buffer"' <&3 >"$fifo" &
  filter=$!
  '${real}' "$@" <"$fifo"
  status=$?
  kill $filter 2>/dev/null
  rm -f "$fifo"
  exit $status
fi
exec '${real}' "$@"
`,
  );
  chmodSync(bin, 0o755);
  return {
    bin,
    on: (fault) => writeFileSync(join(dir, fault), ''),
    off: (fault) => rmSync(join(dir, fault), { force: true }),
    hasSessionCalls: () => {
      try {
        return readFileSync(join(dir, 'has-session.calls'), 'utf8').length;
      } catch {
        return 0;
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
