/**
 * Failures in what a session does on its own, with no caller waiting, are logged rather than dropped:
 * the stall interrupt, a transcript watcher that fails. Where a caller waits (an approval), it is told.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionHarness, type Harness } from '../../test/support/session-harness.js';
import { TmuxError } from '../tmux/tmux-error.js';
import { TranscriptWatch } from './transcript-watch.js';

const harnesses: Harness[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('failures no caller waits for', () => {
  it('logs a stall interrupt that could not be pressed', async () => {
    const h = sessionHarness('working', {
      tmux: {
        pressKeys: async () => {
          throw new Error('tmux went away');
        },
      },
    });
    harnesses.push(h);
    h.session.apply({ type: 'no_progress', thresholdMs: 1000, action: 'interrupt' });
    await h.settle();
    expect(h.warnings).toContain('the stall interrupt could not be pressed');
    expect(h.session.status).toBe('stalled');
  });

  it('tells the caller of approve, and logs, what failed after a permission decision; the decision stands', async () => {
    let failNextWorking = false;
    const h = sessionHarness('working', {
      publish: (type, fields) => {
        if (failNextWorking && type === 'status_changed' && fields.to === 'working') throw new Error('the bus broke');
      },
    });
    harnesses.push(h);
    const permission = { tool_name: 'Bash', tool_input: { command: 'ls' }, permission_suggestions: [] };
    const answered = h.session.requestPermission(permission, new AbortController().signal);
    expect(h.session.status).toBe('permission_prompt');
    failNextWorking = true;
    await expect(h.session.approve({}, null)).rejects.toMatchObject({ code: 'INTERNAL', status: 500, details: { decided: true } });
    expect(await answered).toMatchObject({ hookSpecificOutput: { decision: { behavior: 'allow' } } });
    expect(h.errors).toContain('the session could not go on after a permission decision');
  });

  it('tells the caller of approve when the answer to a dialog on the screen cannot be typed (tmux is gone)', async () => {
    let tmuxUp = true;
    const gone = async () => {
      if (!tmuxUp) throw new TmuxError('send-keys', 'unavailable', 'no server running');
    };
    const h = sessionHarness('working', { tmux: { pressKeys: gone, pressKey: gone, typeText: gone } });
    harnesses.push(h);
    await h.show(readFileSync(join(import.meta.dirname, '../../test/fixtures/screens/permission-bash.txt'), 'utf8'));
    expect(h.session.permissions().pending).toMatchObject([{ source: 'screen', toolName: 'Bash' }]);
    tmuxUp = false;
    await expect(h.session.approve({}, null)).rejects.toMatchObject({ code: 'TMUX_UNAVAILABLE', status: 503, details: { decided: true } });
    expect(h.warnings).toContain('cannot answer the dialog on screen');
  });

  it('reports a transcript watcher that fails, not only closes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-watch-'));
    dirs.push(dir);
    const failures: string[] = [];
    const watch = new TranscriptWatch({ debounceMs: 10, onGrowth: () => {}, onWatchError: (_dir, err) => failures.push((err as Error).message) });
    watch.watch(join(dir, 'transcript.jsonl'));
    (watch as unknown as { watcher: NodeJS.EventEmitter }).watcher.emit('error', new Error('EMFILE: too many open files'));
    watch.close();
    expect(failures).toEqual(['EMFILE: too many open files']);
  });
});
