/**
 * The end of a pane's process, as tmux shows it and as the daemon makes sure of it: a dead pane's
 * exit status (tmux may learn it late, and may write it only into the pane), and a process that
 * outlives its closed window, killed after a grace period, but only while its pid is still the
 * process the window started.
 */
import { isProcessAlive, isSameProcess } from '../process-alive.js';
import { deadPaneSignalled, deadPaneStatus } from '../tmux/pane-screen.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { Timing } from './timing.js';

/**
 * A dead pane's exit status, from tmux's format or from the notice tmux writes into the pane
 * (`#{pane_dead_status}` can stay empty for seconds in tmux 3.3a while the notice has it); null at once
 * when a signal ended the process (`#{pane_dead_signal}`, or the notice says so), and when tmux does
 * not learn the status in time.
 */
export async function deadPaneExitStatus(
  tmux: Pick<TmuxServer, 'capture' | 'paneDeath'>,
  paneId: string,
  screen: string,
  timing: Pick<Timing, 'exitStatusWaitMs' | 'exitStatusPollMs'>,
  /** Stop looking (the daemon is stopping). */
  givenUp: () => boolean = () => false,
): Promise<number | null> {
  const deadline = Date.now() + timing.exitStatusWaitMs;
  for (;;) {
    const told = deadPaneStatus(screen);
    if (told !== null) return told;
    const { status, signal } = await tmux.paneDeath(paneId);
    if (status !== null || signal !== null || deadPaneSignalled(screen) || Date.now() >= deadline || givenUp()) return status;
    await new Promise((resolve) => setTimeout(resolve, timing.exitStatusPollMs));
    screen = await tmux.capture(paneId).catch(() => '');
  }
}

/** After its window closed, a process gets a grace period to exit before it is killed. */
export async function ensureProcessGone(pid: number, startTime: string | null, timing: Pick<Timing, 'killGraceMs' | 'exitStatusPollMs'>): Promise<void> {
  if (!pid || !isSameProcess(pid, startTime)) return;
  const deadline = Date.now() + timing.killGraceMs;
  while (Date.now() < deadline && isProcessAlive(pid)) await new Promise((resolve) => setTimeout(resolve, timing.exitStatusPollMs));
  if (isSameProcess(pid, startTime)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
