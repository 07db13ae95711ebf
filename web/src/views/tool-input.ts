/**
 * A tool call's input as a person reads it: a Bash command in full, an Edit (or Write) as a diff,
 * anything else as its JSON. Text only, never markup, and every character that would draw nothing or
 * redraw its neighbours shown as its code point: what is approved must read as what runs.
 */
import { h, visibly } from '../dom.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function diffLines(oldText: string, newText: string): HTMLElement[] {
  const lines: HTMLElement[] = [];
  if (oldText) for (const line of oldText.split('\n')) lines.push(h('span', { class: 'del' }, ...visibly(`- ${line}\n`)));
  for (const line of newText.split('\n')) lines.push(h('span', { class: 'add' }, ...visibly(`+ ${line}\n`)));
  return lines;
}

export function toolInputView(toolName: string, input: unknown): HTMLElement {
  if (!isRecord(input)) return h('pre', { class: 'tool-input' }, ...visibly(input === undefined ? '' : JSON.stringify(input, null, 2)));
  if (toolName === 'Bash' && typeof input.command === 'string') {
    return h('div', {}, h('pre', { class: 'tool-input command' }, ...visibly(input.command)), typeof input.description === 'string' ? h('p', { class: 'muted' }, ...visibly(input.description)) : null);
  }
  if ((toolName === 'Edit' || toolName === 'MultiEdit' || toolName === 'Write') && typeof input.file_path === 'string') {
    const edits = toolName === 'Write'
      ? [{ old: '', new: str(input.content) }]
      : toolName === 'Edit'
        ? [{ old: str(input.old_string), new: str(input.new_string) }]
        : (Array.isArray(input.edits) ? input.edits : []).filter(isRecord).map((e) => ({ old: str(e.old_string), new: str(e.new_string) }));
    return h(
      'div',
      {},
      h('p', { class: 'path' }, ...visibly(input.file_path)),
      h('pre', { class: 'tool-input diff' }, ...edits.flatMap((e, i) => [...(i > 0 ? [h('span', { class: 'hunk' }, '@@\n')] : []), ...diffLines(e.old, e.new)])),
    );
  }
  return h('pre', { class: 'tool-input' }, ...visibly(JSON.stringify(input, null, 2)));
}
