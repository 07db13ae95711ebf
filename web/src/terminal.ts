/**
 * A session's live terminal: xterm.js fed by GET /v1/sessions/:id/terminal (the current screen first,
 * then what tmux sends the pane). It has the pane's own size (Claude draws for that width), and the
 * font shrinks to fit the page's width instead. Read-only until `takeOver()`: then each keystroke
 * goes to POST /v1/sessions/:id/input, in order, through the session's one input queue.
 *
 * It is a copy of the pane's screen, not the terminal the pane's programs talk to: tmux is that, and
 * answers what they ask of it (device attributes, the cursor's position, a mode, a setting, a colour)
 * and is told where focus is. So this copy never answers such a request itself, nor reports focus:
 * its answers would reach the pane as keys the person never typed, once for every viewer typing.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { api } from './api.js';

interface Snapshot {
  cols: number;
  rows: number;
  data: string;
  cursor?: { x: number; y: number };
}

/** The requests of a program xterm would answer through onData: each is swallowed (the handler says it handled it). */
const ANSWERED_CSI = [
  { final: 'c' }, // primary device attributes
  { prefix: '>', final: 'c' }, // secondary device attributes
  { prefix: '=', final: 'c' }, // tertiary device attributes
  { final: 'n' }, // device status, cursor position
  { prefix: '?', final: 'n' },
  { intermediates: '$', final: 'p' }, // a mode's state (DECRQM)
  { prefix: '?', intermediates: '$', final: 'p' },
] as const;
/** Colour controls (OSC 4, 10, 11, 12): a `?` in place of a colour asks for it. */
const COLOUR_OSC = [4, 10, 11, 12] as const;
/** What xterm sends when focus comes and goes, once a program asked for it (DECSET 1004). */
const FOCUS_REPORTS = new Set(['\x1b[I', '\x1b[O']);

const BASE_FONT_SIZE = 14;
const MIN_FONT_SIZE = 6;

export class LiveTerminal {
  readonly element: HTMLElement;
  private readonly terminal: Terminal;
  private readonly fit = new FitAddon();
  private readonly resizeObserver: ResizeObserver;
  private stream: EventSource | null = null;
  private typing: Promise<unknown> = Promise.resolve();
  private paneCols = 80;
  onStatus: (text: string) => void = () => undefined;
  onError: (message: string) => void = () => undefined;

  constructor(private readonly sessionId: string) {
    this.element = document.createElement('div');
    this.element.className = 'terminal';
    this.terminal = new Terminal({
      disableStdin: true,
      convertEol: false,
      cursorBlink: false,
      fontSize: BASE_FONT_SIZE,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
      scrollback: 1000,
      theme: { background: '#0d1117', foreground: '#e6edf3' },
    });
    this.terminal.loadAddon(this.fit);
    for (const id of ANSWERED_CSI) this.terminal.parser.registerCsiHandler(id, () => true);
    this.terminal.parser.registerDcsHandler({ intermediates: '$', final: 'q' }, () => true); // a setting's value (DECRQSS)
    for (const code of COLOUR_OSC) this.terminal.parser.registerOscHandler(code, (data) => data.split(';').includes('?'));
    this.terminal.onData((data) => {
      if (!FOCUS_REPORTS.has(data)) this.type(data);
    });
    this.resizeObserver = new ResizeObserver(() => this.fitFont());
  }

  /**
   * Call once the element is in the document (xterm measures its font there). An ended session has
   * no pane to follow: it shows the last screen it left instead.
   */
  open(lastScreen?: string): void {
    this.terminal.open(this.element);
    this.resizeObserver.observe(this.element);
    if (lastScreen === undefined) {
      this.connect();
      return;
    }
    this.onStatus('ended');
    const lines = lastScreen.split('\n');
    this.paneCols = Math.max(20, ...lines.map((line) => line.length));
    this.terminal.resize(this.paneCols, Math.max(5, lines.length));
    this.fitFont();
    this.terminal.write(lines.join('\r\n'));
  }

  get readOnly(): boolean {
    return this.terminal.options.disableStdin === true;
  }

  takeOver(on: boolean): void {
    this.terminal.options.disableStdin = !on;
    this.element.classList.toggle('taken-over', on);
    if (on) this.terminal.focus();
  }

  dispose(): void {
    this.stream?.close();
    this.resizeObserver.disconnect();
    this.terminal.dispose();
  }

  private connect(): void {
    const stream = new EventSource(`/v1/sessions/${encodeURIComponent(this.sessionId)}/terminal`);
    this.stream = stream;
    stream.addEventListener('open', () => this.onStatus('live'));
    stream.addEventListener('error', () => this.onStatus(stream.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
    stream.addEventListener('terminal_snapshot', (event: MessageEvent<string>) => this.showSnapshot(JSON.parse(event.data) as Snapshot));
    stream.addEventListener('terminal_output', (event: MessageEvent<string>) => {
      this.terminal.write((JSON.parse(event.data) as { data: string }).data);
    });
  }

  private showSnapshot(snapshot: Snapshot): void {
    this.terminal.reset();
    this.paneCols = snapshot.cols;
    this.terminal.resize(snapshot.cols, snapshot.rows);
    this.fitFont();
    this.terminal.write(snapshot.data);
    if (snapshot.cursor) this.terminal.write(`\x1b[${snapshot.cursor.y + 1};${snapshot.cursor.x + 1}H`);
  }

  /** The largest font (up to the base size) at which the pane's width fits the element's. */
  private fitFont(): void {
    const proposed = this.fit.proposeDimensions();
    if (!proposed || !Number.isFinite(proposed.cols) || proposed.cols <= 0) return;
    const current = this.terminal.options.fontSize ?? BASE_FONT_SIZE;
    const size = Math.max(MIN_FONT_SIZE, Math.min(BASE_FONT_SIZE, Math.floor((current * proposed.cols) / this.paneCols)));
    if (size !== current) this.terminal.options.fontSize = size;
  }

  private type(data: string): void {
    if (this.readOnly) return;
    this.typing = this.typing
      .then(() => api('POST', `/v1/sessions/${encodeURIComponent(this.sessionId)}/input`, { data }))
      .catch((err: unknown) => this.onError(err instanceof Error ? err.message : String(err)));
  }
}
