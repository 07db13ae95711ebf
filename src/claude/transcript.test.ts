import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGE_BOUNDS, messageWeight, parseRecord, TranscriptParser, transcriptPath, unwrapPaste } from './transcript.js';
import { UsageTally } from './usage-tally.js';

const fixture = (name: string) => join(import.meta.dirname, '../../test/fixtures/transcripts', name);

/** A file's lines through one parser, as src/sessions hands them over. */
const parseText = (text: string, parser = new TranscriptParser(new UsageTally())) => text.split('\n').flatMap((line) => parser.parseLine(line));
const parseFile = (file: string, parser?: TranscriptParser) => parseText(readFileSync(file, 'utf8'), parser);

describe('TranscriptParser on a real transcript', () => {
  it('turns prompts, replies, tool calls and tool results into messages, skipping everything else', () => {
    const messages = parseFile(fixture('conversation.jsonl'));
    expect(messages.map((m) => [m.role, m.kind, m.toolName ?? null])).toEqual([
      ['user', 'text', null], ['assistant', 'text', null],
      ['user', 'text', null], ['assistant', 'text', null],
      ['user', 'text', null], ['assistant', 'tool_use', 'Bash'], ['user', 'tool_result', 'Bash'], ['assistant', 'text', null],
      ['user', 'text', null], ['assistant', 'tool_use', 'AskUserQuestion'], ['user', 'tool_result', 'AskUserQuestion'], ['assistant', 'text', null],
      ['user', 'text', null], ['assistant', 'tool_use', 'Write'], ['user', 'tool_result', 'Write'], ['assistant', 'text', null],
      ['user', 'text', null], ['assistant', 'text', null],
    ]);
    expect(messages[0]).toMatchObject({ text: 'hello there', timestamp: expect.stringMatching(/^\d{4}-/) });
    expect(messages[5]).toMatchObject({ text: 'echo hi > out.txt && cat out.txt', toolInput: { command: 'echo hi > out.txt && cat out.txt' } });
    expect(messages[6]).toMatchObject({ text: 'hi', toolUseId: messages[5]!.toolUseId });
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  });

  it('sums usage once per API response, per model', () => {
    const usage = new UsageTally();
    parseFile(fixture('conversation.jsonl'), new TranscriptParser(usage));
    expect(usage.totals.outputTokens).toBe(7 + 43 + 1 + 4 + 1 + 35 + 1 + 36 + 9);
    expect(usage.byModel()).toHaveLength(1);
  });

  it('marks the interrupted turn', () => {
    const texts = parseFile(fixture('interrupted.jsonl')).filter((m) => m.role === 'user').map((m) => m.text);
    expect(texts).toContain('[Request interrupted by user]');
  });

  it('keeps what a record of megabytes says within bounds, marked truncated, its weight known', () => {
    const parser = new TranscriptParser();
    const record = {
      type: 'assistant', uuid: 'u'.repeat(500), timestamp: 't'.repeat(41),
      message: {
        id: 'm'.repeat(300), model: 'claude', usage: { input_tokens: 1, output_tokens: 1 },
        content: [
          { type: 'text', text: `${'a'.repeat(MESSAGE_BOUNDS.text - 1)}😀 and more` },
          { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: '/w/f.txt', content: 'c'.repeat(MESSAGE_BOUNDS.toolInputJson + 1) } },
          { type: 'tool_use', id: 'toolu_2', name: 'N'.repeat(300), input: { items: Array.from({ length: MESSAGE_BOUNDS.toolInputJson / 8 }, (_, i) => `item ${i}`) } },
          { type: 'tool_use', id: 'i'.repeat(201), name: 'Read', input: { file_path: '/w/small.txt' } },
        ],
      },
    };
    const [text, write, many, small] = parser.parseLine(JSON.stringify(record));
    // A uuid or timestamp longer than any real one is not one.
    expect(text!.id).toBe(`assistant-${new Date(0).toISOString()}:0`);
    expect(text!.timestamp).toBe(new Date(0).toISOString());
    // Not cut inside the emoji's surrogate pair.
    expect(text).toMatchObject({ text: 'a'.repeat(MESSAGE_BOUNDS.text - 1), truncated: true });
    expect(write).toMatchObject({ toolInput: { file_path: '/w/f.txt', content: `${'c'.repeat(MESSAGE_BOUNDS.toolInputString)}…` }, truncated: true, toolUseId: 'toolu_1' });
    expect(many!.toolName).toBe('N'.repeat(MESSAGE_BOUNDS.name));
    expect(many).toMatchObject({ truncated: true });
    expect(many).not.toHaveProperty('toolInput');
    expect(small).toMatchObject({ toolInput: { file_path: '/w/small.txt' } });
    expect(small).not.toHaveProperty('truncated');
    expect(small).not.toHaveProperty('toolUseId');
    for (const message of [text!, write!, many!, small!]) expect(messageWeight(message)).toBeLessThan(MESSAGE_BOUNDS.text + MESSAGE_BOUNDS.toolInputJson + 100);
    expect(messageWeight(text!)).toBeGreaterThan(MESSAGE_BOUNDS.text - 1);
  });

  it('reads at most MESSAGE_BOUNDS.blocks blocks of one record: more would be as many events at once', () => {
    const record = { type: 'user', uuid: 'u1', timestamp: 't', message: { role: 'user', content: Array.from({ length: 5000 }, () => ({ type: 'tool_result', content: '' })) } };
    expect(new TranscriptParser().parseLine(JSON.stringify(record))).toHaveLength(MESSAGE_BOUNDS.blocks);
  });

  it('skips lines that are not JSON', () => {
    expect(parseText(`not json\n${JSON.stringify({ type: 'user', uuid: 'u1', timestamp: 't', message: { role: 'user', content: 'ok' } })}\n`).map((m) => m.text)).toEqual(['ok']);
  });
});

describe('TranscriptParser.userRecords', () => {
  it('counts typed input, not tool results', () => {
    const record = (content: unknown) => JSON.stringify({ type: 'user', uuid: String(Math.random()), timestamp: 't', message: { role: 'user', content } });
    const parser = new TranscriptParser();
    parseText([record('a prompt'), record([{ type: 'tool_result', tool_use_id: 'x', content: 'out' }]), record([{ type: 'text', text: '[Request interrupted by user]' }])].join('\n'), parser);
    expect(parser.userRecords).toBe(2);
  });
});

describe('parseRecord', () => {
  it.each([
    [{ type: 'some-future-record', message: { content: 'x' } }],
    [{ type: 'user', isMeta: true, message: { content: 'Caveat' } }],
    [{ type: 'user', message: { content: '<local-command-stdout>hi</local-command-stdout>' } }],
    [{ type: 'assistant', message: { content: [{ type: 'thinking', thinking: '...' }] } }],
    [null],
    ['text'],
  ])('skips %j', (record) => {
    expect(parseRecord(record).messages).toEqual([]);
  });

  it("shows a failed turn's error message and counts no usage for it: Claude wrote it, no API response did", () => {
    const zero = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    const record = { type: 'assistant', uuid: 'u', isApiErrorMessage: true, message: { id: 'm', model: '<synthetic>', usage: zero, content: [{ type: 'text', text: 'Invalid API key' }] } };
    const parsed = parseRecord(record);
    expect(parsed.messages).toMatchObject([{ role: 'assistant', text: 'Invalid API key' }]);
    expect(parsed.usage).toBeUndefined();
    expect(parseRecord({ ...record, message: { ...record.message, model: 'claude-sonnet-4-5' } }).usage).toMatchObject({ messageId: 'm' });
  });
});

describe('unwrapPaste', () => {
  it('shows a prompt that is one large paste as it was sent', () => {
    expect(unwrapPaste('\n\n<pasted_content id="ab12">\nline 1\nline 2\n</pasted_content id="ab12">\n')).toBe('line 1\nline 2');
    expect(unwrapPaste('typed <pasted_content id="a">\nx\n</pasted_content id="a">')).toContain('typed');
  });
});

describe('transcriptPath', () => {
  it("follows Claude's layout under CLAUDE_CONFIG_DIR, every non-alphanumeric of the workDir as '-'", () => {
    expect(transcriptPath({ CLAUDE_CONFIG_DIR: '/c' }, '/srv/my_app.v2', 'id')).toBe('/c/projects/-srv-my-app-v2/id.jsonl');
    expect(transcriptPath({ HOME: '/home/u' }, '/srv/app', 'id')).toBe('/home/u/.claude/projects/-srv-app/id.jsonl');
  });
});
