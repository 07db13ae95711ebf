/**
 * Aegis's private tmux server (`tmux -L <socket>`): one tmux session holding one window per Aegis
 * session, driven through a single control-mode connection. It reports pane output, pane death and
 * window closes as events and knows nothing of Claude. Windows are addressed by tmux ids (`@3`, `%7`).
 * Every window it opens, and the placeholder window when it starts the server, carries this daemon's
 * identity mark, so daemons that share a socket can tell their windows apart. Every failure is a
 * TmuxError.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { format, tmuxCommand, type Arg, type Subcommand } from './command.js';
import { CaptureFiles } from './capture-file.js';
import { TmuxControlClient } from './control-client.js';
import { ACTIVITY_SUBSCRIPTION, OutputDemand, type PaneOutputMode } from './output-demand.js';
import { PaneByteListeners, snapshotOf, type PaneSnapshot } from './pane-bytes.js';
import { DAEMON_OPTION, ensureSession, KEEPER_OPTION, OWNER_OPTION, sessionExists, setUpConnection, DEATH_SUBSCRIPTION, type ServerStartOptions } from './server-start.js';
import { TmuxError } from './tmux-error.js';
import { tmuxVersion } from './tmux-process.js';

export interface TmuxServerOptions {
  tmuxBin: string;
  socket: string;
  session: string;
  cols: number;
  rows: number;
  commandTimeoutMs: number;
  /** The daemon's environment: tmux gets it without the daemon's own (AEGIS_*, MANUS_*) variables. */
  env: NodeJS.ProcessEnv;
  /** This daemon's identity, written on every window it opens; another daemon's windows carry another. */
  identity: string;
  /** A directory only the daemon's user can open, where tmux saves the screens it is asked for (capture-file.ts). */
  captureDir: string;
}

export interface NewWindow {
  name: string;
  cwd: string;
  env: Record<string, string>;
  /** Program and arguments; tmux execs them directly, without a shell. */
  argv: readonly string[];
  /** Written to the window option `@aegis-session`, so owned windows are known after a restart. */
  owner: string;
}

export interface PaneRef {
  windowId: string;
  paneId: string;
  panePid: number;
}

export interface WindowInfo extends PaneRef {
  name: string;
  owner: string;
  /** The identity of the daemon that opened the window; empty for a window no daemon marked. */
  daemon: string;
  /** The placeholder window that keeps the tmux session alive. */
  keeper: boolean;
  dead: boolean;
  exitStatus: number | null;
}

export interface PaneSize {
  cols: number;
  rows: number;
}

export interface TmuxServerEvents {
  /**
   * A pane printed: for each `%output` line while its output is wanted (`wantOutput`), otherwise at
   * most about once a second (`output-demand.ts`).
   */
  paneOutput: [paneId: string];
  paneDied: [paneId: string, exitStatus: number | null];
  windowClose: [windowId: string];
  /** The control connection ended without close(): the server or our tmux session is gone. */
  disconnected: [reason: string];
}

export type { PaneSnapshot } from './pane-bytes.js';

const SEP = '\t';
const WINDOW_FORMAT = format`#{window_id}\t#{pane_id}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{${OWNER_OPTION}}\t#{${DAEMON_OPTION}}\t#{${KEEPER_OPTION}}\t#{window_name}`;

export class TmuxServer extends EventEmitter<TmuxServerEvents> {
  private client: TmuxControlClient | null = null;
  private connecting: Promise<TmuxControlClient> | null = null;
  /** Set by close(): from then on nothing reconnects (or starts a tmux server). */
  private closed = false;
  /** The connection whose panes' output is switched, from the moment it attaches (before its set-up). */
  private outputClient: TmuxControlClient | null = null;
  private readonly demand = new OutputDemand(
    (paneId, mode) => this.setPaneOutput(paneId, mode),
    (paneId) => this.emit('paneOutput', paneId),
  );
  /** Who wants a pane's bytes (onPaneBytes): only those panes' output is decoded. */
  private readonly byteListeners = new PaneByteListeners();

  private readonly captures: CaptureFiles;

  constructor(private readonly options: TmuxServerOptions) {
    super();
    this.captures = new CaptureFiles(options.captureDir, options.identity);
  }

  get connected(): boolean {
    return this.client?.isOpen ?? false;
  }

  get identity(): string {
    return this.options.identity;
  }

  /** tmux's version string, e.g. "3.3a". */
  async version(): Promise<string> {
    return tmuxVersion(this.startOptions());
  }

  /**
   * Whether the tmux server answers over the control connection within `timeoutMs`. Never connects or
   * starts anything: a connection that is open to a server that stopped answering (stopped, hung) is
   * not a healthy tmux.
   */
  async responds(timeoutMs: number): Promise<boolean> {
    const client = this.client;
    if (!client?.isOpen) return false;
    try {
      await client.run(tmuxCommand('display-message', ['-p'], ['ready']), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Starts the server and our tmux session when missing, then attaches the control connection. */
  async connect(): Promise<TmuxControlClient> {
    if (this.closed) throw new TmuxError('attach-session', 'unavailable', 'Aegis is shutting down');
    if (this.client?.isOpen) return this.client;
    this.connecting ??= this.openClient().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * Opens a window running `argv`. The command goes over the control connection, never a command
   * line: the environment holds secrets (API key, hook secret) that other users could read in a
   * process listing. The name and directory reach tmux escaped, so they stay exactly as given.
   */
  async newWindow(spec: NewWindow): Promise<PaneRef> {
    if (spec.argv.length < 2) throw new Error('newWindow needs a program and at least one argument');
    const env = Object.entries(spec.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    const [line = ''] = await this.run('new-window', [
      '-d', '-P', '-F', format`#{window_id} #{pane_id} #{pane_pid}`,
      '-t', `=${this.options.session}:`, '-n', spec.name, '-c', spec.cwd, ...env,
    ], spec.argv);
    const [windowId = '', paneId = '', pid = ''] = line.split(' ');
    try {
      await this.run('set-option', ['-w', '-t', windowId], [DAEMON_OPTION, this.options.identity]);
      await this.run('set-option', ['-w', '-t', windowId], [OWNER_OPTION, spec.owner]);
    } catch (err) {
      // A window without its marks would be nobody's: it is not left behind.
      await this.killWindow(windowId).catch(() => {});
      throw err;
    }
    return { windowId, paneId, panePid: Number(pid) };
  }

  /**
   * Every window with its first pane. Lenient by default (tmux unreachable is an empty list); `strict`
   * throws instead, for callers that must not take a failure for "no windows".
   */
  async listWindows({ strict = false }: { strict?: boolean } = {}): Promise<WindowInfo[]> {
    const listing = this.run('list-panes', ['-s', '-t', `=${this.options.session}`, '-F', WINDOW_FORMAT]);
    const lines = strict ? await listing : await listing.catch(() => []);
    const seen = new Set<string>();
    const windows: WindowInfo[] = [];
    for (const line of lines) {
      const [windowId = '', paneId = '', pid = '', dead, status = '', owner = '', daemon = '', keeper, ...name] = line.split(SEP);
      if (seen.has(windowId)) continue;
      seen.add(windowId);
      windows.push({
        windowId, paneId, panePid: Number(pid), owner, daemon, keeper: keeper === '1', name: name.join(SEP),
        dead: dead === '1', exitStatus: status === '' ? null : Number(status),
      });
    }
    return windows;
  }

  /**
   * A dead pane's exit status, waiting up to `waitMs` for tmux to learn it; null if it never does, and
   * at once when a signal ended the process (there is no status to wait for).
   */
  async paneExitStatus(paneId: string, waitMs: number): Promise<number | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { status, signal } = await this.paneDeath(paneId);
      if (status !== null || signal !== null || Date.now() >= deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** How a dead pane's process ended, as far as tmux knows yet: its exit status or the signal that ended it. */
  async paneDeath(paneId: string): Promise<{ status: number | null; signal: number | null }> {
    const [line = ''] = await this.run('display-message', ['-p', '-t', paneId], [format`#{pane_dead_status}:#{pane_dead_signal}`]).catch(() => ['']);
    const [status = '', signal = ''] = line.trim().split(':');
    const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : null);
    return { status: number(status), signal: number(signal) };
  }

  async killWindow(windowId: string): Promise<void> {
    await this.run('kill-window', ['-t', windowId]);
  }

  /**
   * Asks for every byte the pane prints (a `paneOutput` event per `%output` line) until the returned
   * release is called; releasing twice is harmless. Demands are counted: the pane goes back to
   * reporting about once a second when the last is released.
   */
  wantOutput(paneId: string): () => void {
    return this.demand.want(paneId);
  }

  /** Types text literally (no key names); text that starts with `-` is text too. */
  async typeText(paneId: string, text: string): Promise<void> {
    await this.run('send-keys', ['-t', paneId, '-l'], [text]);
  }

  /** Presses keys by tmux key name (`Enter`, `Escape`, `C-c`, `Down`). */
  async pressKeys(paneId: string, ...keys: string[]): Promise<void> {
    await this.run('send-keys', ['-t', paneId], keys);
  }

  /** Presses one key (by tmux key name) `times` times in a row. */
  async pressKey(paneId: string, key: string, times: number): Promise<void> {
    if (times < 1) return;
    await this.run('send-keys', ['-t', paneId, '-N', String(times)], [key]);
  }

  /**
   * Delivers any text, line breaks included, as one bracketed paste through a private buffer. The
   * buffer is set over the control connection like every other command (checked: 1.3 MB of text with
   * quotes, `#{}`, tabs and UTF-8 arrives byte-exact in about half a second). Both commands are
   * written at once: tmux runs a connection's commands in order, so the paste needs no wait for the
   * buffer's reply (a round trip less before the text reaches the pane). A paste without its buffer fails.
   */
  async paste(paneId: string, text: string): Promise<void> {
    const buffer = `aegis-${randomBytes(6).toString('hex')}`;
    const client = await this.connect();
    const [set, pasted] = await Promise.allSettled([
      client.run(tmuxCommand('set-buffer', ['-b', buffer], [text])),
      client.run(tmuxCommand('paste-buffer', ['-d', '-p', '-b', buffer, '-t', paneId])),
    ]);
    if (set.status === 'fulfilled' && pasted.status === 'fulfilled') return;
    await this.run('delete-buffer', ['-b', buffer]).catch(() => {});
    throw set.status === 'rejected' ? set.reason : (pasted as PromiseRejectedResult).reason;
  }

  /**
   * Calls `listener` with every byte the pane prints from now on, and `onResumed` when tmux paused the
   * pane because the connection fell behind and it was continued (what it printed meanwhile is lost).
   * Returns the unsubscribe. Holds no output demand (wantOutput): a pane that is off sends nothing.
   */
  onPaneBytes(paneId: string, listener: (bytes: Buffer) => void, onResumed: () => void = () => {}): () => void {
    return this.byteListeners.add(paneId, listener, onResumed);
  }

  /**
   * The pane's screen with its colours (capture-pane -e) and its cursor, as escape sequences that draw
   * it on a cleared terminal. `atReply` is called as the screen's reply is read: bytes the pane printed
   * before that are in the snapshot, bytes after it are not.
   */
  async paneSnapshot(paneId: string, atReply: () => void = () => {}): Promise<PaneSnapshot> {
    const client = await this.connect();
    const cursor = client.run(tmuxCommand('display-message', ['-p', '-t', paneId], [format`#{cursor_x} #{cursor_y} #{cursor_flag} #{pane_width} #{pane_height}`]));
    const screen = this.captureLines(client, paneId, ['-e'], undefined, atReply);
    cursor.catch(() => {});
    const [[line = ''], lines] = await Promise.all([cursor, screen]);
    return snapshotOf(lines, line);
  }

  /** The visible screen of a pane as plain text, one line per row; `timeoutMs` shortens the command's deadline. */
  async capture(paneId: string, timeoutMs?: number): Promise<string> {
    const lines = await this.captureLines(await this.connect(), paneId, [], timeoutMs);
    return lines.join('\n');
  }

  /**
   * A pane's screen lines, through a file (capture-file.ts): captured into a buffer of its own, saved,
   * the buffer deleted, all three written at once (tmux runs them in order). `atReply` is called as the
   * capture's own reply is read: the screen is what the pane had printed by then.
   */
  private async captureLines(client: TmuxControlClient, paneId: string, flags: readonly string[], timeoutMs?: number, atReply?: () => void): Promise<string[]> {
    const { buffer, file } = this.captures.next();
    const captured = client.run(tmuxCommand('capture-pane', ['-b', buffer, ...flags, '-t', paneId]), timeoutMs, atReply);
    const saved = client.run(tmuxCommand('save-buffer', ['-b', buffer], [file]), timeoutMs);
    // The buffer goes whatever happened: a failed capture made none, and its delete fails unheard.
    client.run(tmuxCommand('delete-buffer', ['-b', buffer]), timeoutMs).catch(() => {});
    saved.catch(() => {});
    try {
      await captured;
      await saved;
    } catch (err) {
      this.captures.discard(file);
      throw err;
    }
    return this.captures.read(file);
  }

  async paneSize(paneId: string, timeoutMs?: number): Promise<PaneSize> {
    const [line = ''] = await this.run('display-message', ['-p', '-t', paneId], [format`#{pane_width} #{pane_height}`], timeoutMs);
    const [cols = 0, rows = 0] = line.split(' ').map(Number);
    return { cols, rows };
  }

  /** Detaches the control connection; the tmux server and its windows live on. */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => {});
    await this.client?.close();
    this.client = null;
  }

  /**
   * Whether the tmux server runs and holds our tmux session: false only when tmux shows them gone;
   * throws a TmuxError (`unavailable`) when tmux does not answer clearly.
   */
  sessionExists(): Promise<boolean> {
    return sessionExists(this.startOptions());
  }

  private async run(subcommand: Subcommand, flags: readonly Arg[], operands: readonly Arg[] = [], timeoutMs?: number): Promise<string[]> {
    const command = tmuxCommand(subcommand, flags, operands);
    const client = await this.connect();
    return client.run(command, timeoutMs);
  }

  /**
   * Continues or pauses one pane's `%output` on the current connection; a failure leaves it as it was.
   * Byte listeners are told of a continue as its reply is read, before anything the pane prints after
   * it: output from before it may be lost (a pane tmux paused because Aegis fell behind).
   */
  private setPaneOutput(paneId: string, mode: PaneOutputMode): void {
    const client = this.outputClient;
    if (!client?.isOpen) return;
    const resumed = mode === 'continue' ? () => this.byteListeners.resumed(paneId) : undefined;
    client.run(tmuxCommand('refresh-client', ['-A', `${paneId}:${mode}`]), undefined, resumed).catch(() => {});
  }

  private startOptions(): ServerStartOptions {
    const { tmuxBin, socket, env, commandTimeoutMs, session, cols, rows, identity } = this.options;
    return { tmuxBin, socket, env, timeoutMs: commandTimeoutMs, session, cols, rows, identity };
  }

  private async openClient(): Promise<TmuxControlClient> {
    await ensureSession(this.startOptions());
    const client = await TmuxControlClient.connect({
      tmuxBin: this.options.tmuxBin,
      socket: this.options.socket,
      session: this.options.session,
      env: this.options.env,
      commandTimeoutMs: this.options.commandTimeoutMs,
    });
    this.outputClient = client;
    this.demand.connected();
    client.on('output', (paneId) => this.demand.output(paneId));
    client.decodeBytesOf = (paneId) => this.byteListeners.has(paneId);
    client.on('bytes', (paneId, bytes) => this.byteListeners.bytes(paneId, bytes));
    client.on('paused', (paneId) => this.demand.paused(paneId));
    client.on('windowClose', (windowId) => this.emit('windowClose', windowId));
    client.on('subscription', (name, paneId, value) => {
      if (name === ACTIVITY_SUBSCRIPTION) this.demand.activity(paneId);
      if (name !== DEATH_SUBSCRIPTION) return;
      const [dead, status = ''] = value.split(' ');
      if (dead === '1') this.emit('paneDied', paneId, status === '' ? null : Number(status));
    });
    try {
      await setUpConnection(client);
    } catch (err) {
      await client.close();
      const cause = err instanceof TmuxError ? err : new TmuxError('attach-session', 'failed', String(err));
      throw new TmuxError(cause.subcommand, cause.kind, `tmux refused Aegis's setup (tmux 3.2 or newer is needed): ${cause.detail}`);
    }
    client.on('exit', (reason) => {
      if (this.client === client) this.client = null;
      if (!this.closed) this.emit('disconnected', reason);
    });
    if (!client.isOpen) throw new TmuxError('attach-session', 'unavailable', 'tmux ended the connection while Aegis set it up');
    this.client = client;
    return client;
  }
}
