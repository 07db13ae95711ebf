/**
 * A session's transcript, kept current: read once, then read on from the cursor each time the
 * session's events say a message came. Tool calls and their results are collapsed by default.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import type { Message } from '../types.js';
import { toolInputView } from './tool-input.js';

interface Page {
  messages: Message[];
  nextCursor: string;
}

export class Transcript {
  readonly element = h('section', { class: 'transcript', 'aria-label': 'Transcript' });
  private cursor: string | undefined;
  private reading: Promise<void> | null = null;
  private again = false;
  private readonly events: EventSource;

  constructor(private readonly sessionId: string) {
    this.events = new EventSource(`/v1/sessions/${encodeURIComponent(sessionId)}/events`);
    this.events.addEventListener('message', () => this.readOn());
    this.events.addEventListener('open', () => this.readOn());
  }

  dispose(): void {
    this.events.close();
  }

  readOn(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readPages()
      .catch(() => undefined)
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.readOn();
        }
      });
  }

  private async readPages(): Promise<void> {
    for (;;) {
      const query = this.cursor ? `?after=${encodeURIComponent(this.cursor)}` : '';
      const page = await api<Page>('GET', `/v1/sessions/${encodeURIComponent(this.sessionId)}/read${query}`);
      const atBottom = this.element.scrollHeight - this.element.scrollTop - this.element.clientHeight < 40;
      this.element.append(...page.messages.map(messageView));
      if (atBottom) this.element.scrollTop = this.element.scrollHeight;
      const moved = page.nextCursor !== this.cursor;
      this.cursor = page.nextCursor;
      if (!moved || page.messages.length === 0) return;
    }
  }
}

function messageView(m: Message): HTMLElement {
  if (m.kind === 'text') {
    return h('div', { class: `message ${m.role}` }, h('span', { class: 'who' }, m.role === 'user' ? 'you' : 'Claude'), h('p', {}, m.text));
  }
  const label = m.kind === 'tool_use' ? `${m.toolName ?? 'tool'}` : `result${m.isError ? ' (error)' : ''}`;
  const summary = m.kind === 'tool_use' ? toolSummary(m) : m.text.split('\n')[0]?.slice(0, 120) ?? '';
  return h('details', { class: `message tool ${m.kind}${m.isError ? ' error' : ''}` },
    h('summary', {}, h('span', { class: 'who' }, label), ` ${summary}`),
    m.kind === 'tool_use' ? toolInputView(m.toolName ?? '', m.toolInput) : h('pre', { class: 'tool-input' }, m.text));
}

function toolSummary(m: Message): string {
  const input = m.toolInput as Record<string, unknown> | undefined;
  const first = input && (input.command ?? input.file_path ?? input.pattern ?? input.url);
  return typeof first === 'string' ? first.split('\n')[0]!.slice(0, 120) : '';
}
