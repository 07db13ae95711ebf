/**
 * Whether Claude has drawn what was just typed, told by the pane's output bytes themselves rather than
 * by a screen read begun after the typing (a read is a tmux round trip, and one begun too early waits
 * for the next output and another read). Enter must wait for the draw: typed at start-up with its
 * Enter too soon, a long prompt reaches Claude as one paste and needs a second attempt. Armed before
 * the typing, it wants the pane's output and keeps the text printed since, without its escape
 * sequences and blanks (Claude draws a screen's changes only, so a space over a blank cell comes as a
 * cursor move). Bounded: only the last part of what was printed is kept.
 */
import { StringDecoder } from 'node:string_decoder';
import type { TmuxServer } from '../tmux/tmux-server.js';

export type EchoTmux = Pick<TmuxServer, 'onPaneBytes' | 'wantOutput'>;

/** What is kept of the printed text: enough for any line awaited (40 characters are compared). */
const KEPT_CHARS = 16_384;
/** CSI, OSC, DCS/SOS/PM/APC strings, two-character escapes, then every other control character. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -~]?|[\x00-\x1f\x7f]/g;
/** An escape sequence cut off at the end of a piece of output: it is completed by the next piece. */
const UNFINISHED_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[PX^_][^\x1b]*)?$/;
const BLANKS = /[\s\p{Cf}\uFE00-\uFE0F\uFFFD]+/gu;

/** The comparable form of a text: no blanks (the prompt box's wrapping and skipped cells leave none). */
export function squashed(text: string): string {
  return text.replace(BLANKS, '');
}

/** What a terminal would show of printed output, escape sequences and control characters left out. */
export function printedText(output: string): string {
  return output.replace(ESCAPES, '');
}

export class TypedEcho {
  private printed = '';
  /** The start of an escape sequence the last piece of output ended in. */
  private unfinished = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly waits = new Set<() => void>();
  private readonly stopBytes: () => void;
  private readonly releaseOutput: () => void;
  private closed = false;

  constructor(tmux: EchoTmux, paneId: string) {
    this.stopBytes = tmux.onPaneBytes(paneId, (bytes) => this.add(this.decoder.write(bytes)));
    this.releaseOutput = tmux.wantOutput(paneId);
  }

  /** Whether the output printed since the echo was armed shows the end of `line`. */
  shows(line: string): boolean {
    const tail = squashed(line).slice(-40);
    return tail.length > 0 && this.printed.includes(tail);
  }

  /** Waits up to `timeoutMs` for the output to show the end of `line`; false when it did not (or the echo closed). */
  until(line: string, timeoutMs: number): Promise<boolean> {
    if (this.shows(line)) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.waits.delete(check);
        resolve(result);
      };
      const check = () => {
        if (this.closed) done(false);
        else if (this.shows(line)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waits.add(check);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopBytes();
    this.releaseOutput();
    for (const check of [...this.waits]) check();
  }

  private add(piece: string): void {
    let text = this.unfinished + piece;
    const cut = UNFINISHED_ESCAPE.exec(text);
    this.unfinished = cut && cut[0].length < KEPT_CHARS ? cut[0] : '';
    if (cut) text = text.slice(0, cut.index);
    this.printed = (this.printed + squashed(printedText(text))).slice(-KEPT_CHARS);
    for (const check of [...this.waits]) check();
  }
}
