/**
 * How results look on a terminal: JSON for --json, aligned tables, short ids, ages and clock times.
 * Every string the CLI prints leaves through the print functions here, which show control and
 * spoofing characters escaped (terminal-text.ts): a line printed is one line, whatever the daemon sent.
 * Formatting is pure (strings in, strings out) so it is tested without a daemon.
 */
import { terminalJson, terminalLine } from './terminal-text.js';

/** The API's JSON, indented; still valid JSON, with controls as JSON escapes. */
export function printJson(value: unknown): void {
  process.stdout.write(`${terminalJson(value, 2)}\n`);
}

/** One JSON value on one line, for a stream of them (`watch --json`). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${terminalJson(value)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${terminalLine(line)}\n`);
}

export function printLines(lines: string[]): void {
  for (const line of lines) printLine(line);
}

/** Notes for the person at the terminal; kept off stdout so scripts read only results there. */
export function printNote(line: string): void {
  process.stderr.write(`${terminalLine(line)}\n`);
}

export const SHORT_ID_LENGTH = 8;

export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}

/** Lines of columns padded to their widest cell (each cell one line, escaped); the last column is never padded. */
export function formatTable(header: string[], cells: string[][]): string[] {
  const rows = cells.map((row) => row.map(terminalLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** "42s", "5m", "3h", "2d": how long ago `iso` was. */
export function formatAge(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** HH:MM:SS in local time, for lines a person reads as they happen. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** One line of at most `max` characters: line breaks shown as ⏎, the rest cut with an ellipsis. */
export function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ⏎ ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
