/**
 * How the fake Messages API reads a request (`describeRequest`) and what it answers when a test has
 * scripted nothing (`defaultResponder`): directives in the prompt, so a test can steer the real
 * Claude Code by what it types. Pure functions.
 */
import { errorTypeOfStatus, type FakeToolUse, type FakeTurn } from './fake-turn.js';

/** One /v1/messages request. isMain: it carries tools (the conversation, not a title or summary). */
export interface FakeRequestInfo {
  isMain: boolean;
  lastUserText: string;
  lastToolResult?: string;
  /** Every tool_result of the last user message, in order (one per tool_use answered). */
  toolResults: string[];
  stream: boolean;
  model: string;
  /** Claude Code's session id, from its `x-claude-code-session-id` header (absent in hand-made requests). */
  sessionId?: string;
  body: any;
}

type Block = Record<string, unknown>;
const isObj = (v: unknown): v is Block => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a content value: a string, or the text blocks of an array, optionally without Claude's own notes. */
function contentText(content: unknown, skipNotes: boolean): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b): b is Block => isObj(b) && b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .filter((t) => !(skipNotes && /^\s*(<system-reminder>|\[Request interrupted by user)/.test(t)))
    .join('\n');
}

export function describeRequest(body: unknown, sessionId?: string): FakeRequestInfo {
  const b = isObj(body) ? body : {};
  const isMain = Array.isArray(b.tools) && b.tools.length > 0;
  const messages = Array.isArray(b.messages) ? b.messages : [];
  const lastUser = [...messages].reverse().find((m) => isObj(m) && m.role === 'user') as Block | undefined;
  const info: FakeRequestInfo = {
    isMain, lastUserText: '', toolResults: [], stream: b.stream === true,
    model: typeof b.model === 'string' ? b.model : 'claude-fake', ...(sessionId ? { sessionId } : {}), body,
  };
  if (!lastUser) return info;
  info.lastUserText = contentText(lastUser.content, true);
  if (Array.isArray(lastUser.content)) {
    info.toolResults = lastUser.content.filter((x): x is Block => isObj(x) && x.type === 'tool_result').map((r) => contentText(r.content, false));
    if (info.toolResults.length > 0) info.lastToolResult = info.toolResults[info.toolResults.length - 1];
  }
  return info;
}

const TOOL_DIRECTIVE = /\[\[(bash|read|write):\s*([\s\S]*?)\]\]/g;

function toolOf(kind: string, arg: string): FakeToolUse {
  if (kind === 'bash') return { name: 'Bash', input: { command: arg, description: 'run a command' } };
  if (kind === 'read') return { name: 'Read', input: { file_path: arg } };
  return { name: 'Write', input: { file_path: arg, content: 'written by the model\n' } };
}

/**
 * Directives read from the last user text of a main request:
 * - `[[bash: CMD]]`, `[[read: PATH]]`, `[[write: PATH]]`: a tool_use each; several in one prompt give
 *   several tool_use blocks in one message (Claude then asks for each permission at once);
 * - `[[ask: QUESTION|OPT1|OPT2...]]`: an AskUserQuestion tool_use;
 * - `[[slow: N]]` (N chunks 300 ms apart), `[[hang]]`, `[[error: STATUS]]`;
 * - `[[think: TEXT]]`: a thinking block, then the text `thought: TEXT`;
 * - `[[max_tokens]]`, `[[refusal]]`: a reply ending with that stop reason;
 * - `[[stream-error]]`: an overloaded `event: error` after the first delta; `[[drop]]`: the connection
 *   dropped after the first delta;
 * - `[[usage: IN OUT CACHE_WRITE CACHE_READ]]`: the usage reported with the reply.
 * Anything else is acknowledged with `ACK <n> chars: <first 80 chars>`. Tool results are answered with
 * `tool result: <first 200 chars>` (one line per result when several came back).
 */
export function defaultResponder(req: FakeRequestInfo): FakeTurn {
  if (!req.isMain) return { text: 'Aegis test' };
  if (req.toolResults.length > 0) return { text: req.toolResults.map((r) => `tool result: ${r.slice(0, 200)}`).join('\n') };
  const t = req.lastUserText;
  let m: RegExpMatchArray | null;
  const tools = [...t.matchAll(TOOL_DIRECTIVE)].map((d) => toolOf(d[1]!, d[2]!.trim()));
  if (tools.length === 1) return { toolUse: tools[0]! };
  if (tools.length > 1) return { toolUses: tools };
  if ((m = t.match(/\[\[ask:\s*([\s\S]*?)\]\]/))) {
    const [question = '', ...labels] = m[1]!.split('|').map((s) => s.trim());
    const options = (labels.length >= 2 ? labels : ['Yes', 'No']).map((label) => ({ label, description: `Pick ${label}` }));
    return { toolUse: { name: 'AskUserQuestion', input: { questions: [{ question, header: 'Question', options, multiSelect: false }] } } };
  }
  if ((m = t.match(/\[\[slow:\s*(\d+)\]\]/))) {
    const n = Math.max(1, Number(m[1]));
    const text = Array.from({ length: n }, (_, i) => `part ${i + 1} of ${n}.`).join(' ');
    return { text, chunks: n, chunkDelayMs: 300 };
  }
  if (/\[\[hang\]\]/.test(t)) return { text: 'This reply was held open and then released.', chunks: 2, hang: true };
  if ((m = t.match(/\[\[error:\s*(\d{3})\]\]/))) {
    const status = Number(m[1]);
    return { error: { status, type: errorTypeOfStatus(status), message: `Fake error ${status}` } };
  }
  if ((m = t.match(/\[\[think:\s*([\s\S]*?)\]\]/))) return { thinking: m[1]!.trim(), text: `thought: ${m[1]!.trim()}`, chunks: 3 };
  if (/\[\[max_tokens\]\]/.test(t)) return { text: 'This reply stops in the middle of a', stopReason: 'max_tokens' };
  if (/\[\[refusal\]\]/.test(t)) return { text: '', stopReason: 'refusal' };
  if (/\[\[stream-error\]\]/.test(t)) {
    return { text: 'This reply breaks off after the first piece.', chunks: 4, streamError: { type: 'overloaded_error', message: 'Overloaded' } };
  }
  if (/\[\[drop\]\]/.test(t)) return { text: 'This reply loses its connection after the first piece.', chunks: 4, dropAfterDeltas: 1 };
  const reply: FakeTurn = { text: `ACK ${t.length} chars: ${t.slice(0, 80)}` };
  if ((m = t.match(/\[\[usage:\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]\]/))) {
    const [input, output, cacheWrite, cacheRead] = m.slice(1, 5).map(Number) as [number, number, number, number];
    reply.usage = { input_tokens: input, output_tokens: output, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead };
  }
  return reply;
}
