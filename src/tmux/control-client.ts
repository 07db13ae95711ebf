/**
 * One long-lived tmux control-mode connection (`tmux -C attach`). Commands go in over stdin and are
 * matched to their `%begin`/`%end` reply blocks in FIFO order; notifications (`%output`,
 * `%window-close`, `%exit`, ...) come out as events. Every failure is a TmuxError. It knows nothing of
 * Claude or of sessions.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { commandLine, tmuxCommand, type TmuxCommand } from './command.js';
import { paneOutputBytes } from './pane-output.js';
import { TmuxError } from './tmux-error.js';
import { tmuxEnv, tmuxProcessArgv } from './tmux-process.js';

/** The connection is gone: every command on it fails as tmux being unavailable. */
function disconnected(subcommand: string, reason: string): TmuxError {
  return new TmuxError(subcommand, 'unavailable', `tmux control connection closed: ${reason}`);
}

export interface ControlClientEvents {
  /** A pane printed something; the bytes themselves are not needed, only that the screen changed. */
  output: [paneId: string];
  /** What a pane printed, decoded, for the panes `decodeBytesOf` names only. */
  bytes: [paneId: string, bytes: Buffer];
  /** tmux paused a pane: this client fell behind on it, or asked for it. Its output stops until `continue`. */
  paused: [paneId: string];
  windowClose: [windowId: string];
  /** A format subscription (`refresh-client -B`) changed value for one pane. */
  subscription: [name: string, paneId: string, value: string];
  /** The connection ended: tmux exited, the session was destroyed, or close() was called. */
  exit: [reason: string];
}

interface PendingCommand {
  subcommand: string;
  resolve: (lines: string[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  abandoned: boolean;
  /** Called as the reply is read, before anything read after it: a caller that must know what came before. */
  onReply: ((lines: string[]) => void) | undefined;
}

interface OpenBlock {
  number: string;
  lines: string[];
  ours: boolean;
}

export interface ControlClientOptions {
  tmuxBin: string;
  socket: string;
  session: string;
  /** The daemon's environment; the control client gets it without the daemon's private variables. */
  env: NodeJS.ProcessEnv;
  commandTimeoutMs: number;
}

export class TmuxControlClient extends EventEmitter<ControlClientEvents> {
  private readonly pending: PendingCommand[] = [];
  private block: OpenBlock | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private closed = false;
  private closeReason = '';
  /** Which panes' output bytes are decoded and emitted (`bytes`); none unless set. */
  decodeBytesOf: (paneId: string) => boolean = () => false;
  /** Resolves once tmux has attached this client to its session (commands before that lack a client). */
  private markAttached!: () => void;
  private readonly attached = new Promise<void>((resolve) => (this.markAttached = resolve));

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly options: ControlClientOptions,
  ) {
    super();
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.resume();
    child.stdin.on('error', () => {});
    child.on('error', (err) => this.finish(err.message));
    child.on('close', (code) => this.finish(this.closeReason || `tmux control client exited (${code ?? 'signal'})`));
  }

  /** Attach to an existing tmux session in control mode. */
  static async connect(options: ControlClientOptions): Promise<TmuxControlClient> {
    const attach = tmuxCommand('attach-session', ['-t', `=${options.session}`]);
    const child = spawn(options.tmuxBin, tmuxProcessArgv(options.socket, attach, ['-C']), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: tmuxEnv(options.env),
    });
    const client = new TmuxControlClient(child, options);
    // Commands that need a client (refresh-client) fail with "no current client" until tmux has
    // attached us: wait for that, then prove the connection answers.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TmuxError('attach-session', 'unavailable', 'tmux did not attach the control client in time')), options.commandTimeoutMs);
    });
    const exited = new Promise<never>((_, reject) => client.once('exit', (reason) => reject(disconnected('attach-session', reason))));
    // Whichever of these settles after the race must not surface as an unhandled rejection.
    timedOut.catch(() => {});
    exited.catch(() => {});
    try {
      await Promise.race([client.attached, timedOut, exited]);
    } catch (err) {
      await client.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    try {
      await client.run(tmuxCommand('display-message', ['-p'], ['ready']));
    } catch (err) {
      // Attached but not answering: the `tmux -C` process is ours to end, or it outlives the failure.
      await client.close();
      throw err;
    }
    return client;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Runs one tmux command and resolves with its output lines; rejects with TmuxError, also after `timeoutMs`. */
  run(command: TmuxCommand, timeoutMs = this.options.commandTimeoutMs, onReply?: (lines: string[]) => void): Promise<string[]> {
    const { subcommand } = command;
    if (this.closed) return Promise.reject(disconnected(subcommand, this.closeReason));
    const line = commandLine(command);
    return new Promise<string[]>((resolve, reject) => {
      const entry: PendingCommand = {
        subcommand,
        resolve,
        reject,
        abandoned: false,
        onReply,
        timer: setTimeout(() => {
          // The reply may still come; the slot stays in the FIFO so later replies stay matched.
          entry.abandoned = true;
          reject(new TmuxError(subcommand, 'unavailable', `no reply within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.pending.push(entry);
      this.child.stdin.write(`${line}\n`);
    });
  }

  /** Detaches by ending stdin (the documented safe way) and waits for the client to exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closeReason = 'closed by Aegis';
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let start = 0;
    for (let nl = this.buffered.indexOf(10, start); nl !== -1; nl = this.buffered.indexOf(10, start)) {
      this.onLine(this.buffered.subarray(start, nl));
      start = nl + 1;
    }
    this.buffered = this.buffered.subarray(start);
  }

  private onLine(raw: Buffer): void {
    if (this.block) {
      const text = raw.toString('utf8');
      // A screen line could look like a guard line; only the one carrying this block's number ends it.
      if ((text.startsWith('%end ') || text.startsWith('%error ')) && text.split(' ')[2] === this.block.number) {
        this.endBlock(text.startsWith('%error '));
      } else {
        this.block.lines.push(text);
      }
      return;
    }
    // Notification header fields are ASCII; latin1 keeps a pane's raw output bytes from being mangled.
    const text = raw.toString('latin1');
    if (text.startsWith('%begin ')) {
      // Flags 0 mark a block we did not ask for (the answer to the attach itself).
      const [, , number = '', flags] = text.split(' ');
      this.block = { number, lines: [], ours: flags !== '0' };
    } else if (text.startsWith('%output ') || text.startsWith('%extended-output ')) {
      const paneId = text.split(' ', 2)[1];
      if (paneId) this.emit('output', paneId);
      if (paneId && this.decodeBytesOf(paneId)) this.emit('bytes', paneId, paneOutputBytes(raw));
    } else if (text.startsWith('%window-close ') || text.startsWith('%unlinked-window-close ')) {
      const windowId = text.split(' ')[1];
      if (windowId) this.emit('windowClose', windowId);
    } else if (text.startsWith('%subscription-changed ')) {
      // %subscription-changed <name> $<session> @<window> <index> %<pane> : <value>
      const [head = '', ...rest] = raw.toString('utf8').split(' : ');
      const fields = head.split(' ');
      const name = fields[1];
      const paneId = fields[5];
      if (name && paneId) this.emit('subscription', name, paneId, rest.join(' : '));
    } else if (text.startsWith('%pause ')) {
      const paneId = text.split(' ')[1];
      if (paneId) this.emit('paused', paneId);
    } else if (text.startsWith('%session-changed ')) {
      this.markAttached();
    } else if (text.startsWith('%exit')) {
      this.closeReason ||= text.slice(6).trim() || 'tmux ended the control connection';
    }
  }

  private endBlock(failed: boolean): void {
    const block = this.block;
    this.block = null;
    if (block && !block.ours) this.markAttached(); // the block tmux sends for the attach itself
    if (!block?.ours) return;
    const entry = this.pending.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    if (entry.abandoned) return;
    if (failed) entry.reject(TmuxError.fromOutput(entry.subcommand, block.lines.join('\n')));
    else {
      entry.onReply?.(block.lines);
      entry.resolve(block.lines);
    }
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      if (!entry.abandoned) entry.reject(disconnected(entry.subcommand, reason));
    }
    this.emit('exit', reason);
  }
}
