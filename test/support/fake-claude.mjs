#!/usr/bin/env node
/**
 * A scriptable stand-in for Claude Code, for tests of how Aegis types into it and reads its screen. It draws an idle
 * screen shaped like Claude Code 2.1.330's (a prompt box between two full-width `─` rules, `❯` and a
 * no-break space, the footer below), reads its terminal in raw mode and shows what is typed in its
 * prompt box (Ctrl-J and pasted line breaks start a new line; bracketed paste is on). Enter submits:
 * it calls the UserPromptSubmit hook named in the settings file given with `--settings` (read once at
 * start, secret included), writes a user record to the transcript where Claude would
 * (`$CLAUDE_CONFIG_DIR/projects/<cwd>/<session id>.jsonl`), replies `ACK: <text>` and calls Stop.
 *
 * A prompt holding `[[bash: COMMAND]]` makes it ask permission for that command the way Claude does
 * when its PermissionRequest hook cannot be reached: only on the screen, with Claude's four-option
 * dialog (`1` or `2` or `3` runs it, `4` or Escape refuses; Enter takes the selected `1. Yes`).
 *
 * Everything it receives and does is logged (see fake-claude-reports.mjs): `keys` (every chunk read,
 * `dropped` when ignored), `submit` (the text, and whether it came as a paste), `hook` (event and
 * HTTP status), `dialog` (shown), `dialog-answer` (the key and the outcome), `tool-run`, `reply`.
 *
 * FAKE_CLAUDE_SCRIPT (comma-separated) changes how it behaves:
 *   drop-first-enter   ignore the first Enter (the text stays in the prompt box)
 *   drop-enters=N      ignore the first N Enters
 *   never-submit       ignore every Enter
 *   drop-keys-once     discard everything up to and including the first Enter, as if never sent
 *   confirm-delay=MS   on Enter, show a turn in progress at once but call the hook and write the
 *                      transcript only MS later
 *   transcript-delay=MS  call the hook at once, write the user record MS later
 *   no-hook            confirm through the transcript only
 *   turn-ms=MS         how long a turn runs before the reply (default 50)
 *   quiet-turn         show no sign of a turn on the screen: the idle prompt stays while it runs
 *   reply-after-stop=MS  call Stop first and write the reply to the transcript MS later
 *   paste-bursts=MS    keys arriving less than MS apart form a burst; the prompt box shows a burst
 *                      only once it has ended, and an Enter within a burst that holds a typed line
 *                      break is a line break (Claude takes a fast burst for a paste); the end of a
 *                      bracketed paste ends such a burst
 */
import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { reporter } from './fake-claude-reports.mjs';

// ── Arguments, settings and script ───────────────────────────────────────────────────────────────

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const sessionId = flag('--session-id') ?? randomUUID();
const settingsFile = flag('--settings');
const permissionMode = flag('--permission-mode') ?? 'default';
const cwd = process.cwd();

const script = new Map(
  (process.env.FAKE_CLAUDE_SCRIPT ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [key, value] = s.split('=');
      return [key, value === undefined ? true : Number(value)];
    }),
);
let enterDrops = script.has('never-submit') ? Infinity : script.has('drop-first-enter') ? 1 : Number(script.get('drop-enters') ?? 0);
let dropKeys = script.has('drop-keys-once');
const confirmDelay = Number(script.get('confirm-delay') ?? 0);
const transcriptDelay = Number(script.get('transcript-delay') ?? 0);
const turnMs = Number(script.get('turn-ms') ?? 50);
const burstMs = Number(script.get('paste-bursts') ?? 0);
const useHook = !script.has('no-hook');
const quietTurn = script.has('quiet-turn');
const replyAfterStop = script.has('reply-after-stop') ? Number(script.get('reply-after-stop')) : null;

const { log, callHook, record } = reporter({ sessionId, settingsFile, permissionMode, cwd });

// ── The screen ───────────────────────────────────────────────────────────────────────────────────

const history = [];
let input = '';
/** Input read but not yet shown (paste-bursts: a burst shows once it ends). */
let shownInput = '';
let working = false;
/** The permission dialog on screen, and how the turn learns its answer. */
let dialog = null;

function draw() {
  const cols = process.stdout.columns || 160;
  const rows = process.stdout.rows || 50;
  const rule = '─'.repeat(cols);
  const box = shownInput.split('\n').flatMap((line) => wrap(line, cols - 4));
  const boxLines = box.map((line, i) => (i === 0 ? `❯\u00a0${line}` : `  ${line}`));
  const busy = working && !quietTurn;
  const footer = busy ? '  ⏸ manual mode on · esc to interrupt' : '  ⏸ manual mode on · ? for shortcuts';
  const dashes = '╌'.repeat(cols);
  const bottom = dialog
    ? [
        rule,
        ' Bash command',
        ' run a command',
        dashes,
        ` ${dialog.command}`,
        dashes,
        ' Do you want to proceed?',
        ' ❯ 1. Yes',
        `   2. Yes, and always allow access to ${cwd} from this project`,
        '   3. Yes, and switch to auto mode · auto mode handles these prompts for you',
        '   4. No',
        '',
        ' Esc to cancel · Tab to amend',
      ]
    : [...(busy ? ['✻ Pondering… (1s · ↓ 3 tokens)', ''] : []), rule, ...boxLines, rule, footer];
  const head = [' Claude Code (a stand-in for Aegis tests)', ` ${cwd}`, ''];
  const room = Math.max(0, rows - head.length - bottom.length);
  const shown = history.flatMap((line) => wrap(line, cols - 2)).slice(-room);
  const lines = [...head, ...shown, ...bottom].slice(0, rows);
  process.stdout.write(`\x1b[H\x1b[2J${lines.join('\r\n')}`);
}

function wrap(line, width) {
  if (line.length <= width) return [line];
  const parts = [];
  for (let i = 0; i < line.length; i += width) parts.push(line.slice(i, i + width));
  return parts;
}

// ── Turns ────────────────────────────────────────────────────────────────────────────────────────

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let turns = Promise.resolve();

function submit(text, pasted) {
  log('submit', { text, pasted });
  history.push(` > ${text.replace(/\n/g, ' ⏎ ')}`);
  working = true;
  draw();
  turns = turns.then(() => runTurn(text)).catch((err) => log('error', { error: String(err) }));
}

async function runTurn(text) {
  if (confirmDelay) await sleep(confirmDelay);
  if (useHook) await callHook('UserPromptSubmit', { prompt: text, prompt_id: randomUUID() });
  if (transcriptDelay) await sleep(transcriptDelay);
  record('user', { role: 'user', content: text });
  const bash = /\[\[bash:\s*([\s\S]*?)\]\]/.exec(text);
  let reply = `ACK: ${text}`;
  if (bash) {
    const command = bash[1].trim();
    const allowed = await new Promise((resolve) => {
      dialog = { command, resolve };
      log('dialog', { text: command });
      draw();
    });
    draw();
    if (allowed) {
      log('tool-run', { text: command });
      if (useHook) await callHook('PostToolUse', { tool_name: 'Bash', tool_input: { command }, tool_use_id: randomUUID() });
    }
    reply = allowed ? `ran: ${command}` : `did not run: ${command}`;
  }
  await sleep(turnMs);
  if (replyAfterStop !== null) {
    if (useHook) await callHook('Stop', { last_assistant_message: reply, stop_hook_active: false });
    await sleep(replyAfterStop);
  }
  record('assistant', {
    id: `msg_${randomUUID().replace(/-/g, '')}`,
    type: 'message',
    role: 'assistant',
    model: 'fake-claude',
    content: [{ type: 'text', text: reply }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  });
  history.push(`⏺ ${reply.replace(/\n/g, ' ⏎ ')}`);
  log('reply', { text: reply });
  working = false;
  draw();
  if (useHook && replyAfterStop === null) await callHook('Stop', { last_assistant_message: reply, stop_hook_active: false });
}

// ── Keys ─────────────────────────────────────────────────────────────────────────────────────────

let pending = '';
let pasting = false;
let pastedNow = false;
let lastKeyAt = 0;
let burstHasBreak = false;
let showTimer = null;

function show() {
  if (!burstMs) {
    shownInput = input;
    draw();
    return;
  }
  // A burst shows once it has ended.
  if (showTimer) clearTimeout(showTimer);
  showTimer = setTimeout(() => {
    showTimer = null;
    shownInput = input;
    draw();
  }, burstMs);
}

function onEnter(now) {
  if (burstMs && burstHasBreak && now - lastKeyAt < burstMs) {
    input += '\n';
    return;
  }
  if (enterDrops > 0) {
    enterDrops--;
    log('enter-ignored');
    return;
  }
  const text = input;
  input = '';
  shownInput = '';
  burstHasBreak = false;
  if (text.trim() !== '') submit(text, pastedNow);
  pastedNow = false;
  draw();
}

/** A key read while the permission dialog is shown: a digit picks its option, Escape cancels, Enter takes `1. Yes`. */
function onDialogKey(key) {
  const choice = { '1': 'yes', '2': 'yes-always', '3': 'yes-switch-mode', '\r': 'yes', '4': 'no', '\x1b': 'no' }[key];
  log('dialog-answer', { data: key, text: choice ?? 'ignored' });
  if (!choice) return;
  const { resolve } = dialog;
  dialog = null;
  resolve(choice !== 'no');
}

function onKeys(chunk) {
  const now = Date.now();
  if (dialog) {
    // An arrow key or other sequence moves nothing here.
    if (chunk.startsWith('\x1b[')) {
      log('dialog-answer', { data: chunk, text: 'ignored' });
      return;
    }
    const keys = [...chunk];
    while (dialog && keys.length > 0) onDialogKey(keys.shift());
    // Keys read together with the answer go to the prompt box.
    chunk = keys.join('');
    if (!chunk) return;
  }
  if (burstMs && now - lastKeyAt >= burstMs) burstHasBreak = false;
  pending += chunk;
  while (pending) {
    if (pasting) {
      const end = pending.indexOf('\x1b[201~');
      const body = end === -1 ? pending : pending.slice(0, end);
      input += body.replace(/\r\n?/g, '\n');
      pending = end === -1 ? '' : pending.slice(end + 6);
      // A bracketed paste's end is a boundary Claude keeps: the keys after it are keys, not more of a paste.
      if (end !== -1) {
        pasting = false;
        burstHasBreak = false;
      }
      continue;
    }
    if (pending.startsWith('\x1b[200~')) {
      pasting = true;
      pastedNow = true;
      pending = pending.slice(6);
      continue;
    }
    if (pending.startsWith('\x1b')) {
      const csi = /^\x1b\[[0-9;?]*[ -/]*[@-~]/.exec(pending);
      if (csi) {
        pending = pending.slice(csi[0].length);
        continue;
      }
      if (pending === '\x1b[' || pending === '\x1b[2' || pending === '\x1b[20') break; // the rest of a sequence follows
      pending = pending.slice(1);
      if (working) {
        // Escape stops the turn, as in Claude.
        log('interrupt');
        working = false;
        draw();
      }
      continue;
    }
    const ch = String.fromCodePoint(pending.codePointAt(0));
    pending = pending.slice(ch.length);
    if (ch === '\r') onEnter(now);
    else if (ch === '\n') {
      input += '\n';
      burstHasBreak = true;
    } else if (ch === '\x7f') input = input.slice(0, -1);
    else if (ch === '\x03') input = '';
    else if (ch >= ' ' || ch === '\t') input += ch;
  }
  lastKeyAt = now;
  show();
}

const decoder = new StringDecoder('utf8');
process.stdin.setRawMode?.(true);
process.stdin.resume();
process.stdin.on('data', (data) => {
  const chunk = decoder.write(data);
  if (!chunk) return;
  if (dropKeys) {
    log('keys', { data: chunk, dropped: true });
    if (chunk.includes('\r')) dropKeys = false;
    return;
  }
  log('keys', { data: chunk });
  onKeys(chunk);
});
process.stdout.on('resize', draw);
process.on('SIGHUP', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

log('start', { argv, script: process.env.FAKE_CLAUDE_SCRIPT ?? '' });
process.stdout.write('\x1b[?2004h');
draw();
