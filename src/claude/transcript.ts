/**
 * Claude Code's transcript (one JSON record per line) turned into messages and usage. Parsing is
 * pure (`parseRecord`); `TranscriptReader` reads a file incrementally from where it stopped, so no
 * request ever re-parses the whole file. Unknown record types and malformed lines are skipped.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { estimateCostUsd } from './pricing.js';

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
  timestamp: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 });

/** Where Claude keeps a session's transcript: `<config dir>/projects/<cwd, non-alphanumerics as '-'>/<id>.jsonl`. */
export function transcriptPath(env: NodeJS.ProcessEnv, workDir: string, sessionId: string): string {
  const configDir = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), '.claude');
  return join(configDir, 'projects', workDir.replace(/[^A-Za-z0-9]/g, '-'), `${sessionId}.jsonl`);
}

type Block = { type?: unknown; text?: unknown; name?: unknown; input?: unknown; id?: unknown; tool_use_id?: unknown; content?: unknown; is_error?: unknown };

interface ParsedRecord {
  messages: TranscriptMessage[];
  /** Usage of one API response, keyed by its message id: Claude writes one record per content block, all carrying it. */
  usage?: { messageId: string; model: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
  costUsd?: number;
}

/** A transcript record as read: any field may be missing or of another type, so each is checked before use. */
interface RawRecord {
  type?: unknown;
  totalCostUSD?: unknown;
  isMeta?: unknown;
  isSidechain?: unknown;
  timestamp?: unknown;
  uuid?: unknown;
  message?: { content?: unknown; usage?: Record<string, unknown> | null; id?: unknown; model?: unknown } | null;
}

export function parseRecord(record: unknown): ParsedRecord {
  if (typeof record !== 'object' || record === null) return { messages: [] };
  const r = record as RawRecord;
  if (r.type === 'cost-state' && typeof r.totalCostUSD === 'number') return { messages: [], costUsd: r.totalCostUSD };
  if ((r.type !== 'user' && r.type !== 'assistant') || r.isMeta || r.isSidechain) return { messages: [] };
  const message = r.message;
  if (typeof message !== 'object' || message === null) return { messages: [] };

  const role: 'user' | 'assistant' = r.type;
  const base = { role, timestamp: typeof r.timestamp === 'string' ? r.timestamp : new Date(0).toISOString() };
  const uuid = typeof r.uuid === 'string' ? r.uuid : `${role}-${base.timestamp}`;
  const blocks: Block[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? (message.content as Block[]) : [];

  const messages: TranscriptMessage[] = [];
  blocks.forEach((block, index) => {
    const id = `${uuid}:${index}`;
    if (block?.type === 'text' && typeof block.text === 'string') {
      if (role === 'user' && isLocalCommandNoise(block.text)) return;
      messages.push({ id, ...base, kind: 'text', text: role === 'user' ? unwrapPaste(block.text) : block.text });
    } else if (block?.type === 'tool_use' && typeof block.name === 'string') {
      messages.push({ id, ...base, kind: 'tool_use', text: describeToolInput(block.input), toolName: block.name, toolInput: block.input, ...(typeof block.id === 'string' ? { toolUseId: block.id } : {}) });
    } else if (block?.type === 'tool_result') {
      messages.push({
        id, ...base, kind: 'tool_result', text: resultText(block.content),
        ...(typeof block.tool_use_id === 'string' ? { toolUseId: block.tool_use_id } : {}),
        ...(block.is_error === true ? { isError: true } : {}),
      });
    }
  });

  const parsed: ParsedRecord = { messages };
  const usage = message.usage;
  if (role === 'assistant' && typeof usage === 'object' && usage !== null && typeof message.id === 'string') {
    parsed.usage = {
      messageId: message.id,
      model: typeof message.model === 'string' ? message.model : '',
      inputTokens: num(usage.input_tokens),
      outputTokens: num(usage.output_tokens),
      cacheReadTokens: num(usage.cache_read_input_tokens),
      cacheWriteTokens: num(usage.cache_creation_input_tokens),
    };
  }
  return parsed;
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

/** Transcripts are read in pieces of at most this size, so a huge file never needs one huge buffer. */
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Follows one transcript file: each `readNew()` parses only the complete lines written since the
 * last call. Usage is summed per API response (deduplicated by message id); cost follows Claude's
 * own `cost-state` records.
 */
export class TranscriptReader {
  private offset = 0;
  private readonly usageByMessage = new Map<string, Omit<NonNullable<ParsedRecord['usage']>, 'messageId'>>();
  private costUsd: number | null = null;
  private readonly toolNames = new Map<string, string>();
  /**
   * User records carrying text (prompts, shell-mode input, slash-command output, interruptions), not
   * tool results: proof that typed input arrived.
   */
  userRecords = 0;
  /** Every record read, of any type: proof that Claude did something. */
  records = 0;

  constructor(readonly path: string) {}

  /** New messages since the last call; an absent file is simply nothing yet. */
  readNew(): TranscriptMessage[] {
    const messages: TranscriptMessage[] = [];
    for (let chunk = this.readAppended(); chunk; chunk = this.readAppended()) this.parseChunk(chunk, messages);
    return messages;
  }

  private parseChunk(chunk: string, messages: TranscriptMessage[]): void {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      this.records++;
      if (isTextInput(record)) this.userRecords++;
      const parsed = parseRecord(record);
      if (parsed.usage) {
        const { messageId, ...usage } = parsed.usage;
        this.usageByMessage.set(messageId, usage);
      }
      if (parsed.costUsd !== undefined) this.costUsd = parsed.costUsd;
      for (const message of parsed.messages) {
        if (message.kind === 'tool_use' && message.toolUseId && message.toolName) this.toolNames.set(message.toolUseId, message.toolName);
        if (message.kind === 'tool_result' && message.toolUseId && !message.toolName) {
          const name = this.toolNames.get(message.toolUseId);
          if (name) message.toolName = name;
        }
        messages.push(message);
      }
    }
  }

  /** Tokens summed over API responses; cost from Claude's own record, else estimated from list prices. */
  get usage(): Usage {
    const total = emptyUsage();
    let estimate = 0;
    for (const u of this.usageByMessage.values()) {
      total.inputTokens += u.inputTokens;
      total.outputTokens += u.outputTokens;
      total.cacheReadTokens += u.cacheReadTokens;
      total.cacheWriteTokens += u.cacheWriteTokens;
      estimate += estimateCostUsd(u.model, u);
    }
    total.costUsd = this.costUsd ?? Number(estimate.toFixed(6));
    return total;
  }

  get bytesRead(): number {
    return this.offset;
  }

  /** Reads the bytes appended since the last call, up to the last complete line. */
  private readAppended(): string {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return '';
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0; // replaced or truncated: start over
      if (size === this.offset) return '';
      const buffer = Buffer.alloc(Math.min(size - this.offset, MAX_CHUNK_BYTES));
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      const lastNewline = buffer.lastIndexOf(10, read - 1);
      if (lastNewline === -1) {
        // One record larger than a chunk: skip it rather than stall on it forever.
        if (read === MAX_CHUNK_BYTES) this.offset += read;
        return '';
      }
      this.offset += lastNewline + 1;
      return buffer.toString('utf8', 0, lastNewline);
    } finally {
      closeSync(fd);
    }
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
