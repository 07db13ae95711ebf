/** A transcript message as lines a person reads: a header (time, role, kind, tool) and the text indented below. */
import type { TranscriptMessage } from '../client/types.js';
import { formatClock } from './output.js';

export function formatMessage(message: TranscriptMessage): string[] {
  const kind = message.kind === 'tool_result' && message.isError ? 'tool_result (error)' : message.kind;
  const header = [formatClock(message.timestamp), message.role.padEnd(9), kind, message.toolName ?? ''].join(' ').trimEnd();
  const body = message.text.trim() ? message.text.replace(/\s+$/, '').split(/\r?\n/).map((line) => `  ${line}`) : ['  (no text)'];
  return [header, ...body];
}
