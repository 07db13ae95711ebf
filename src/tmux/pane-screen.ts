/**
 * What tmux itself writes into a pane: with remain-on-exit, tmux (3.3a) may clear a pane whose
 * process died and leave only its own "Pane is dead (status N, <time>)" line, so that capture no
 * longer shows what the program last printed. That line also carries the exit status when
 * `#{pane_dead_status}` is still empty (it can stay so for seconds).
 */
const DEAD_NOTICE = /^Pane is dead\b/;
const DEAD_STATUS = /^Pane is dead \(status (\d+)\b/m;

/** Whether a captured screen holds nothing but tmux's dead-pane notice. */
export function onlyDeadPaneNotice(screen: string): boolean {
  const lines = screen.split('\n').filter((line) => line.trim() !== '');
  return lines.every((line) => DEAD_NOTICE.test(line.trim()));
}

/** The exit status in tmux's dead-pane notice, or null when the screen has none. */
export function deadPaneStatus(screen: string): number | null {
  const match = DEAD_STATUS.exec(screen.replace(/^\s+/gm, ''));
  return match ? Number(match[1]) : null;
}

/** Whether tmux's dead-pane notice says a signal ended the process (then there is no exit status to wait for). */
export function deadPaneSignalled(screen: string): boolean {
  return /^\s*Pane is dead \(signal \d+/m.test(screen);
}
