/**
 * The scriptable fake Claude (fake-claude.mjs) as a session's Claude command, and what it logged:
 * every key it read, what it submitted, the hooks it called, the permission dialogs it showed and
 * how they were answered. Its behaviour is chosen with
 * FAKE_CLAUDE_SCRIPT, in the daemon's environment or a session's own `env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { standInScript } from './stand-in.js';

const FAKE_CLAUDE = join(import.meta.dirname, 'fake-claude.mjs');

/** A Claude command that runs the fake with this Node, passing Aegis's arguments on. */
export function fakeClaudeCommand(): string {
  return standInScript(`exec '${process.execPath}' '${FAKE_CLAUDE}' "$@"`);
}

export interface FakeClaudeEntry {
  at: number;
  event: 'start' | 'keys' | 'enter-ignored' | 'submit' | 'hook' | 'dialog' | 'dialog-answer' | 'tool-run' | 'reply' | 'interrupt' | 'error';
  data?: string;
  dropped?: boolean;
  text?: string;
  pasted?: boolean;
  name?: string;
  status?: number;
}

/** What the fake of one session logged so far (nothing before it started). */
export function fakeClaudeLog(workDir: string, sessionId: string): FakeClaudeEntry[] {
  const file = join(workDir, '.fake-claude', `${sessionId}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as FakeClaudeEntry);
}

/** Every key the fake read, ignored ones included, as one string. */
export function keysReceived(log: FakeClaudeEntry[]): string {
  return log.filter((e) => e.event === 'keys').map((e) => e.data).join('');
}

/** The bytes a message's text reaches Claude as: each line one bracketed paste, Ctrl-J (LF) between them. */
export function pastedKeys(text: string): string {
  return text.split('\n').map((line) => (line ? `\x1b[200~${line}\x1b[201~` : '')).join('\n');
}

/** The texts the fake submitted, in order. */
export function submitted(log: FakeClaudeEntry[]): string[] {
  return log.filter((e) => e.event === 'submit').map((e) => e.text!);
}

/** How often `needle` occurs in `haystack`. */
export function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
