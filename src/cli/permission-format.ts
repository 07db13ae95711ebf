/**
 * How a pending permission or question reads on a terminal: its id (what approve, reject and answer
 * take), the tool and its input, or the question and its numbered options (what --option takes).
 */
import type { Permission } from '../client/types.js';
import { oneLine } from './output.js';

export function formatPermission(p: Permission): string[] {
  if (typeof p.question === 'string') {
    const options = (p.options ?? []).map((o, i) => `    ${i}. ${oneLine(String(o.label), 80)}${o.description ? ` - ${oneLine(String(o.description), 80)}` : ''}`);
    return [`${p.id}  ${p.sessionId}  question: ${oneLine(p.question, 120)}`, ...options];
  }
  return [`${p.id}  ${p.sessionId}  ${p.toolName} ${toolInput(p.toolInput)} (from the ${p.source})`];
}

/** The part of a tool's input a person decides on: a command, a path, a pattern; else compact JSON. */
export function toolInput(input: unknown): string {
  if (typeof input === 'object' && input !== null) {
    const fields = input as Record<string, unknown>;
    for (const key of ['command', 'file_path', 'path', 'pattern', 'url']) {
      if (typeof fields[key] === 'string') return oneLine(fields[key], 120);
    }
  }
  return oneLine(JSON.stringify(input ?? {}), 120);
}
