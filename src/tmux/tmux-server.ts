/**
 * Aegis's private tmux server (`tmux -L <socket>`): one tmux session holding one window per Aegis
 * session, driven through a single control-mode connection. It reports pane output, pane death and
 * window closes as events and knows nothing of Claude. Windows are addressed by tmux ids (`@3`, `%7`).
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { TmuxControlClient, TmuxDisconnectedError } from './control-client.js';

export interface TmuxServerOptions {
  tmuxBin: string;
  socket: string;
  session: string;
  cols: number;
  rows: number;
  commandTimeoutMs: number;
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
  paneOutput: [paneId: string];
  paneDied: [paneId: string, exitStatus: number | null];
  windowClose: [windowId: string];
  /** The control connection ended without close(): the server or our tmux session is gone. */
  disconnected: [reason: string];
}

const OWNER_OPTION = '@aegis-session';
/** Variables of the daemon's own configuration, never handed to a window. */
const PRIVATE_ENV = /^(AEGIS|MANUS)_/;
const START_ATTEMPTS = 3;
const KEEPER_OPTION = '@aegis-keeper';
const DEATH_SUBSCRIPTION = 'aegis-pane-dead';
const SEP = '\t';
const WINDOW_FORMAT = ['#{window_id}', '#{pane_id}', '#{pane_pid}', '#{pane_dead}', '#{pane_dead_status}', `#{${OWNER_OPTION}}`, `#{${KEEPER_OPTION}}`, '#{window_name}'].join(SEP);
/** The placeholder window that keeps the tmux session alive while no Aegis session runs. */
const KEEPER_ARGV = ['sh', '-c', 'printf "Aegis tmux server: one window per session (C-b w lists them)\\n"; exec tail -f /dev/null'];

export class TmuxServer extends EventEmitter<TmuxServerEvents> {
  private client: TmuxControlClient | null = null;
  private connecting: Promise<TmuxControlClient> | null = null;
  /** Set by close(): from then on nothing reconnects (or starts a tmux server). */
  private closed = false;

  constructor(private readonly options: TmuxServerOptions) {
    super();
  }

  get connected(): boolean {
    return this.client?.isOpen ?? false;
  }

  /** tmux's version string, e.g. "3.3a"; throws when tmux cannot run. */
  async version(): Promise<string> {
    const { stdout } = await execa(this.options.tmuxBin, ['-V'], { timeout: this.options.commandTimeoutMs });
    return stdout.replace(/^tmux\s+/, '').trim();
  }

  /** Starts the server and our tmux session when missing, then attaches the control connection. */
  async connect(): Promise<TmuxControlClient> {
    if (this.closed) throw new TmuxDisconnectedError('Aegis is shutting down');
    if (this.client?.isOpen) return this.client;
    this.connecting ??= this.openClient().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * Opens a window running `argv`. The command goes over the control connection, never a command
   * line: the environment holds secrets (API key, hook secret) that other users could read in a
   * process listing.
   */
  async newWindow(spec: NewWindow): Promise<PaneRef> {
    if (spec.argv.length < 2) throw new Error('newWindow needs a program and at least one argument');
    const env = Object.entries(spec.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    const [line = ''] = await this.run('new-window', [
      '-d', '-P', '-F', '#{window_id} #{pane_id} #{pane_pid}',
      '-t', `=${this.options.session}:`, '-n', spec.name, '-c', spec.cwd, ...env, '--', ...spec.argv,
    ]);
    const [windowId = '', paneId = '', pid = ''] = line.split(' ');
    await this.run('set-option', ['-w', '-t', windowId, OWNER_OPTION, spec.owner]);
    return { windowId, paneId, panePid: Number(pid) };
  }

  /**
   * Every window with its first pane. Lenient by default (no server is an empty list); `strict`
   * throws instead, for callers that must not take a failure for "no windows".
   */
  async listWindows({ strict = false }: { strict?: boolean } = {}): Promise<WindowInfo[]> {
    const listing = this.run('list-panes', ['-s', '-t', `=${this.options.session}`, '-F', WINDOW_FORMAT]);
    const lines = strict ? await listing : await listing.catch(() => []);
    const seen = new Set<string>();
    const windows: WindowInfo[] = [];
    for (const line of lines) {
      const [windowId = '', paneId = '', pid = '', dead, status = '', owner = '', keeper, ...name] = line.split(SEP);
      if (seen.has(windowId)) continue;
      seen.add(windowId);
      windows.push({
        windowId, paneId, panePid: Number(pid), owner, keeper: keeper === '1', name: name.join(SEP),
        dead: dead === '1', exitStatus: status === '' ? null : Number(status),
      });
    }
    return windows;
  }

  /** A dead pane's exit status, waiting up to `waitMs` for tmux to learn it; null if it never does. */
  async paneExitStatus(paneId: string, waitMs: number): Promise<number | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const [line = ''] = await this.run('display-message', ['-p', '-t', paneId, '#{pane_dead_status}']).catch(() => ['']);
      if (/^\d+$/.test(line.trim())) return Number(line.trim());
      if (Date.now() >= deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async killWindow(windowId: string): Promise<void> {
    await this.run('kill-window', ['-t', windowId]);
  }

  /** Types text literally (no key names). */
  async typeText(paneId: string, text: string): Promise<void> {
    await this.run('send-keys', ['-t', paneId, '-l', text]);
  }

  /** Presses keys by tmux key name (`Enter`, `Escape`, `C-c`, `Down`). */
  async pressKeys(paneId: string, ...keys: string[]): Promise<void> {
    await this.run('send-keys', ['-t', paneId, ...keys]);
  }

  /** Delivers any text, line breaks included, as one bracketed paste through a private buffer. */
  async paste(paneId: string, text: string): Promise<void> {
    const buffer = `aegis-${randomBytes(6).toString('hex')}`;
    await this.tmux(['load-buffer', '-b', buffer, '-'], { input: text });
    await this.run('paste-buffer', ['-d', '-p', '-b', buffer, '-t', paneId]);
  }

  /** The visible screen of a pane as plain text, one line per row. */
  async capture(paneId: string): Promise<string> {
    const lines = await this.run('capture-pane', ['-p', '-t', paneId]);
    return lines.join('\n');
  }

  async paneSize(paneId: string): Promise<PaneSize> {
    const [line = ''] = await this.run('display-message', ['-p', '-t', paneId, '#{pane_width} #{pane_height}']);
    const [cols = 0, rows = 0] = line.split(' ').map(Number);
    return { cols, rows };
  }

  /** Ends the whole tmux server (every window in it). */
  async killServer(): Promise<void> {
    await this.tmux(['kill-server'], { reject: false });
  }

  /** A one-off tmux process on our server, bounded in time like every control-mode command. */
  private tmux(args: string[], options: { input?: string; reject?: boolean } = {}) {
    return execa(this.options.tmuxBin, ['-L', this.options.socket, ...args], { timeout: this.options.commandTimeoutMs, ...options });
  }

  /** Detaches the control connection; the tmux server and its windows live on. */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => {});
    await this.client?.close();
    this.client = null;
  }

  async run(subcommand: string, args: readonly string[]): Promise<string[]> {
    const client = await this.connect();
    return client.run(subcommand, args);
  }

  private async openClient(): Promise<TmuxControlClient> {
    await this.ensureSession();
    const client = await TmuxControlClient.connect({
      tmuxBin: this.options.tmuxBin,
      socket: this.options.socket,
      session: this.options.session,
      commandTimeoutMs: this.options.commandTimeoutMs,
    });
    client.on('output', (paneId) => this.emit('paneOutput', paneId));
    client.on('windowClose', (windowId) => this.emit('windowClose', windowId));
    client.on('subscription', (name, paneId, value) => {
      if (name !== DEATH_SUBSCRIPTION) return;
      const [dead, status = ''] = value.split(' ');
      if (dead === '1') this.emit('paneDied', paneId, status === '' ? null : Number(status));
    });
    try {
      // A dead pane stays on screen so its exit status and last output can be read.
      await client.run('set-option', ['-wg', 'remain-on-exit', 'on']);
      // Pane death produces no output; a format subscription reports it (tmux checks about once a second).
      await client.run('refresh-client', ['-B', `${DEATH_SUBSCRIPTION}:%*:#{pane_dead} #{pane_dead_status}`]);
      // Let tmux pause a pane rather than buffer without limit if Aegis ever falls behind.
      await client.run('refresh-client', ['-f', 'pause-after=30']);
      // The server's global environment is the environment of whoever started it, the daemon with its
      // token among them; every window would inherit it. Aegis's own settings are not for windows.
      for (const line of await client.run('show-environment', ['-g'])) {
        const name = line.replace(/^-/, '').split('=')[0] ?? '';
        if (PRIVATE_ENV.test(name)) await client.run('set-environment', ['-g', '-u', name]);
      }
    } catch (err) {
      await client.close();
      throw new TmuxDisconnectedError(`tmux refused Aegis's setup (tmux 3.2 or newer is needed): ${err instanceof Error ? err.message : String(err)}`);
    }
    client.on('exit', (reason) => {
      if (this.client === client) this.client = null;
      if (!this.closed) this.emit('disconnected', reason);
    });
    if (!client.isOpen) throw new TmuxDisconnectedError('tmux ended the connection while Aegis set it up');
    this.client = client;
    return client;
  }

  /** Whether the tmux server runs and holds our tmux session. */
  async sessionExists(): Promise<boolean> {
    const probe = await this.tmux(['has-session', '-t', `=${this.options.session}`], { reject: false });
    return probe.exitCode === 0;
  }

  private async ensureSession(): Promise<void> {
    const { session, cols, rows } = this.options;
    if (await this.sessionExists()) return;
    // Right after a server was killed its socket can still answer for a moment ("server exited
    // unexpectedly"), so a failed start is tried again, a bounded number of times.
    let failure = '';
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      const created = await this.tmux(['-f', '/dev/null', 'new-session', '-d', '-s', session, '-n', 'aegis', '-x', String(cols), '-y', String(rows), '--', ...KEEPER_ARGV], { reject: false });
      if (created.exitCode === 0) {
        failure = '';
        break;
      }
      // Another process may have created it in the meantime: that is as good.
      if (await this.sessionExists()) return;
      failure = String(created.stderr || created.stdout || `exit ${created.exitCode}`);
    }
    if (failure) throw new TmuxDisconnectedError(`cannot start tmux: ${failure}`);
    await this.tmux(['set-option', '-w', '-t', `=${session}:^`, KEEPER_OPTION, '1'], { reject: false });
  }
}
