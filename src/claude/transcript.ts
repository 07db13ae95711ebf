/**
 * Claude Code's transcript (one JSON record per line) turned into messages and usage. All of it is
 * pure: `TranscriptParser` takes a file's lines in order and hands each response's usage to a
 * `UsageTally` (usage-tally.ts), which sums it over a session's files; src/sessions reads the files (as
 * hostile data: see transcript-file.ts). Unknown record types and malformed lines are skipped.
 */
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { tokenCount, type ResponseUsage, type UsageTally } from './usage-tally.js';

export type MessageKind = 'text' | 'tool_use' | 'tool_result';

export interface TranscriptMessage {
  id: string;
  role: 'user' | 'assistant';
  kind: MessageKind;
  text: string;
  toolName?: string;
  toolInput?: unknown;
  toolUseId?: string;
  isError?: boolean;
  /** Set when `text` or `toolInput` was cut to its bound (the transcript file holds it whole). */
  truncated?: true;
  timestamp: string;
}

/**
 * What one message keeps of what its record says. A transcript is written by Claude and by anything
 * the session runs, as its user: a record of megabytes must not become a message of megabytes, kept
 * in memory (recent messages, the event replay) and sent again on every read and every stream.
 */
export const MESSAGE_BOUNDS = {
  /** Characters of `text`: a prompt the API takes (1 MiB) reads back whole. */
  text: 1024 * 1024,
  /** Characters of `toolInput` as JSON; past it, its long strings are cut, and failing that it is left out. */
  toolInputJson: 1024 * 1024,
  /** Characters of one string inside a `toolInput` that had to be cut. */
  toolInputString: 64 * 1024,
  /** Characters of an id (message, tool use, API response), a tool name or a model name. */
  name: 200,
  /** Characters of a timestamp (an ISO date has 24). */
  timestamp: 40,
  /** Content blocks of one record read (a real one has a few): more would be as many events at once. */
  blocks: 1000,
} as const;

/** Roughly how many characters a message holds: its text and its tool input as JSON. */
const weights = new WeakMap<TranscriptMessage, number>();

export function messageWeight(message: TranscriptMessage): number {
  return weights.get(message) ?? message.text.length + 64;
}

/** Where Claude keeps a session's transcript: `<config dir>/projects/<cwd, non-alphanumerics as '-'>/<id>.jsonl`. */
export function transcriptPath(env: NodeJS.ProcessEnv, workDir: string, sessionId: string): string {
  const configDir = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), '.claude');
  return join(configDir, 'projects', workDir.replace(/[^A-Za-z0-9]/g, '-'), `${sessionId}.jsonl`);
}

type Block = { type?: unknown; text?: unknown; name?: unknown; input?: unknown; id?: unknown; tool_use_id?: unknown; content?: unknown; is_error?: unknown };

interface ParsedRecord {
  messages: TranscriptMessage[];
  /** Usage of one API response, keyed by its message id: Claude writes one record per content block, all carrying it. */
  usage?: ResponseUsage;
}

/** The model Claude names on the records it writes itself, such as a failed turn's error message. */
const SYNTHETIC_MODEL = '<synthetic>';

/** A transcript record as read: any field may be missing or of another type, so each is checked before use. */
interface RawRecord {
  type?: unknown;
  isMeta?: unknown;
  isSidechain?: unknown;
  timestamp?: unknown;
  uuid?: unknown;
  message?: { content?: unknown; usage?: Record<string, unknown> | null; id?: unknown; model?: unknown } | null;
}

export function parseRecord(record: unknown): ParsedRecord {
  if (typeof record !== 'object' || record === null) return { messages: [] };
  const r = record as RawRecord;
  if ((r.type !== 'user' && r.type !== 'assistant') || r.isMeta || r.isSidechain) return { messages: [] };
  const message = r.message;
  if (typeof message !== 'object' || message === null) return { messages: [] };

  const role: 'user' | 'assistant' = r.type;
  const base = { role, timestamp: boundedName(r.timestamp, MESSAGE_BOUNDS.timestamp) ?? new Date(0).toISOString() };
  const uuid = boundedName(r.uuid) ?? `${role}-${base.timestamp}`;
  const blocks: Block[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? (message.content as Block[]).slice(0, MESSAGE_BOUNDS.blocks) : [];

  const messages: TranscriptMessage[] = [];
  blocks.forEach((block, index) => {
    const id = `${uuid}:${index}`;
    if (block?.type === 'text' && typeof block.text === 'string') {
      if (role === 'user' && isLocalCommandNoise(block.text)) return;
      messages.push(bounded({ id, ...base, kind: 'text', text: role === 'user' ? unwrapPaste(block.text) : block.text }));
    } else if (block?.type === 'tool_use' && typeof block.name === 'string') {
      const toolUseId = boundedName(block.id);
      messages.push(bounded({ id, ...base, kind: 'tool_use', text: describeToolInput(block.input), toolName: cut(block.name, MESSAGE_BOUNDS.name), toolInput: block.input, ...(toolUseId ? { toolUseId } : {}) }));
    } else if (block?.type === 'tool_result') {
      const toolUseId = boundedName(block.tool_use_id);
      messages.push(bounded({
        id, ...base, kind: 'tool_result', text: resultText(block.content),
        ...(toolUseId ? { toolUseId } : {}),
        ...(block.is_error === true ? { isError: true } : {}),
      }));
    }
  });

  const parsed: ParsedRecord = { messages };
  const usage = message.usage;
  // Claude writes a failed turn's error as an assistant record of its own making (model `<synthetic>`,
  // no usage): no API response, so nothing to count or price.
  const responseId = boundedName(message.id);
  if (role === 'assistant' && typeof usage === 'object' && usage !== null && responseId && message.model !== SYNTHETIC_MODEL) {
    parsed.usage = {
      messageId: responseId,
      model: typeof message.model === 'string' ? cut(message.model, MESSAGE_BOUNDS.name) : '',
      inputTokens: tokenCount(usage.input_tokens),
      outputTokens: tokenCount(usage.output_tokens),
      cacheReadTokens: tokenCount(usage.cache_read_input_tokens),
      cacheWriteTokens: tokenCount(usage.cache_creation_input_tokens),
    };
  }
  return parsed;
}

/** A string no longer than `max`, or undefined: an id or timestamp longer than any real one is not one. */
function boundedName(value: unknown, max: number = MESSAGE_BOUNDS.name): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

/** The first `max` characters of `text`, not ending inside a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return text.slice(0, end);
}

/** The message within MESSAGE_BOUNDS, marked `truncated` when something was cut; its weight noted. */
function bounded(message: TranscriptMessage): TranscriptMessage {
  let truncated = false;
  if (message.text.length > MESSAGE_BOUNDS.text) {
    message.text = cut(message.text, MESSAGE_BOUNDS.text);
    truncated = true;
  }
  let inputChars = 0;
  if (message.toolInput !== undefined) {
    let json = JSON.stringify(message.toolInput) ?? 'null';
    if (json.length > MESSAGE_BOUNDS.toolInputJson) {
      truncated = true;
      message.toolInput = withStringsCut(message.toolInput, 0);
      json = JSON.stringify(message.toolInput) ?? 'null';
      if (json.length > MESSAGE_BOUNDS.toolInputJson) {
        delete message.toolInput;
        json = '';
      }
    }
    inputChars = json.length;
  }
  if (truncated) message.truncated = true;
  weights.set(message, message.text.length + inputChars + 64);
  return message;
}

/** A JSON value with each long string cut (marked with an ellipsis); past a depth, nothing. */
function withStringsCut(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MESSAGE_BOUNDS.toolInputString ? `${cut(value, MESSAGE_BOUNDS.toolInputString)}…` : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 16) return null;
  if (Array.isArray(value)) return value.map((item) => withStringsCut(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[cut(key, MESSAGE_BOUNDS.toolInputString)] = withStringsCut(item, depth + 1);
  return out;
}

/**
 * A prompt that is one large paste is recorded inside `<pasted_content>` tags; the message shows the
 * text as it was sent. Prompts that mix typed text and pastes are left as recorded.
 */
const PASTE_ONLY = /^\s*<pasted_content id="([^"]*)">\n([\s\S]*)\n<\/pasted_content id="\1">\s*$/;

export function unwrapPaste(text: string): string {
  const match = PASTE_ONLY.exec(text);
  return match && !match[2]!.includes('<pasted_content id=') ? match[2]! : text;
}

function isTextInput(record: unknown): boolean {
  const r = record as { type?: unknown; message?: { content?: unknown } } | null;
  if (r?.type !== 'user') return false;
  const content = r.message?.content;
  return typeof content === 'string' || (Array.isArray(content) && content.some((b: Block) => b?.type === 'text'));
}

/** Output of local slash commands is recorded as user text wrapped in these tags; it is not a prompt. */
function isLocalCommandNoise(text: string): boolean {
  return /^<(command-name|command-message|local-command-stdout|local-command-stderr|local-command-caveat)>/.test(text);
}

function describeToolInput(input: unknown): string {
  if (typeof input === 'object' && input !== null) {
    const fields = input as Record<string, unknown>;
    for (const key of ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']) {
      if (typeof fields[key] === 'string') return fields[key] as string;
    }
  }
  return JSON.stringify(input ?? null);
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: Block) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : part?.type ? `[${String(part.type)}]` : ''))
      .join('\n');
  }
  return '';
}

/** Tool uses whose result has not come yet, at most: a transcript that never answers them cannot grow the map without bound. */
const MAX_OPEN_TOOL_USES = 1024;

/**
 * Parses one transcript file line by line, in order: each line is one record. It counts what it saw,
 * names tool results after their tool use, and hands usage to `usage` (which may span several files). It reads nothing itself: src/sessions reads the file and hands it the lines.
 */
export class TranscriptParser {
  /** Tool uses still awaiting their result, by id: a tool result is named after its tool use. */
  private readonly openToolUses = new Map<string, string>();
  /**
   * User records carrying text (prompts, shell-mode input, slash-command output, interruptions), not
   * tool results: proof that typed input arrived.
   */
  userRecords = 0;
  /** Every record read, of any type: proof that Claude did something. */
  records = 0;

  constructor(private readonly usage: UsageTally | null = null) {}

  /** Whether every tool use seen so far has its result: a page read from here on names every tool result. */
  get settled(): boolean {
    return this.openToolUses.size === 0;
  }

  /** The messages of one line (a blank or malformed line is skipped). */
  parseLine(line: string): TranscriptMessage[] {
    if (!line.trim()) return [];
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return [];
    }
    this.records++;
    if (isTextInput(record)) this.userRecords++;
    const parsed = parseRecord(record);
    if (parsed.usage) this.usage?.add(parsed.usage);
    for (const message of parsed.messages) {
      if (message.kind === 'tool_use' && message.toolUseId && message.toolName) this.toolUsed(message.toolUseId, message.toolName);
      if (message.kind === 'tool_result' && message.toolUseId && !message.toolName) {
        const name = this.openToolUses.get(message.toolUseId);
        if (name) message.toolName = name;
        this.openToolUses.delete(message.toolUseId);
      }
    }
    return parsed.messages;
  }

  private toolUsed(id: string, name: string): void {
    this.openToolUses.set(id, name);
    if (this.openToolUses.size > MAX_OPEN_TOOL_USES) this.openToolUses.delete(this.openToolUses.keys().next().value!);
  }
}

/**
 * Whether a transcript path a hook reports may be followed as the session's own: a transcript in the
 * session's own project directory (Claude starts a new file there after /clear), or the session's own
 * file under another directory name of the same projects root (Claude shortens long directory names
 * its own way). A hook body must not make the daemon read another project's conversation or files
 * elsewhere.
 */
export function isTranscriptBeside(reported: string, own: string): boolean {
  if (!reported.endsWith('.jsonl') || /(^|\/)\.\.?(\/|$)/.test(reported) || reported.includes('\0')) return false;
  if (dirname(reported) === dirname(own)) return true;
  return basename(reported) === basename(own) && dirname(dirname(reported)) === dirname(dirname(own));
}
