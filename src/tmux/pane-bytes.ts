/**
 * Who listens to which pane's bytes (TmuxServer.onPaneBytes), and how a pane's screen is drawn for a
 * terminal that joins. The control connection decodes a pane's `%output` only while it has a
 * listener here (pane-output.ts); a listener's failure is its own, never the connection's.
 */

/** A pane's screen as a terminal would draw it: the text with its colours, and where the cursor is. */
export interface PaneSnapshot {
  /** Escape sequences that clear a terminal and draw the screen, with the cursor placed and shown or hidden. */
  data: string;
  cols: number;
  rows: number;
  cursor: { x: number; y: number; visible: boolean };
}

/** The snapshot of `capture-pane -p -e` lines and a line of `#{cursor_x} #{cursor_y} #{cursor_flag} #{pane_width} #{pane_height}`. */
export function snapshotOf(screen: readonly string[], formatLine: string): PaneSnapshot {
  const [x = 0, y = 0, flag = 1, cols = 0, rows = 0] = formatLine.split(' ').map(Number);
  const visible = flag !== 0;
  const data = `\x1b[0m\x1b[H\x1b[2J${screen.join('\r\n')}\x1b[0m\x1b[${y + 1};${x + 1}H\x1b[?25${visible ? 'h' : 'l'}`;
  return { data, cols, rows, cursor: { x, y, visible } };
}

interface Listener {
  bytes: (bytes: Buffer) => void;
  resumed: () => void;
}

export class PaneByteListeners {
  private readonly byPane = new Map<string, Set<Listener>>();

  /** Adds a listener; returns its removal. */
  add(paneId: string, bytes: (bytes: Buffer) => void, resumed: () => void): () => void {
    const entry: Listener = { bytes, resumed };
    let listeners = this.byPane.get(paneId);
    if (!listeners) this.byPane.set(paneId, (listeners = new Set()));
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
      if (listeners.size === 0 && this.byPane.get(paneId) === listeners) this.byPane.delete(paneId);
    };
  }

  has(paneId: string): boolean {
    return this.byPane.has(paneId);
  }

  bytes(paneId: string, bytes: Buffer): void {
    for (const listener of this.byPane.get(paneId) ?? []) quietly(() => listener.bytes(bytes));
  }

  resumed(paneId: string): void {
    for (const listener of this.byPane.get(paneId) ?? []) quietly(() => listener.resumed());
  }
}

function quietly(call: () => void): void {
  try {
    call();
  } catch {
    // A listener's failure is its own: the connection reads on.
  }
}
