import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateCostUsd } from './pricing.js';
import { parseRecord, TranscriptParser, transcriptPath, UsageTally, unwrapPaste } from './transcript.js';

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

  it('sums usage once per API response and estimates the cost when Claude records none', () => {
    const usage = new UsageTally();
    parseFile(fixture('conversation.jsonl'), new TranscriptParser(usage));
    expect(usage.usage.outputTokens).toBe(7 + 43 + 1 + 4 + 1 + 35 + 1 + 36 + 9);
    expect(usage.usage.costUsd).toBeGreaterThan(0);
  });

  it("prefers Claude's own cost record", () => {
    const usage = new UsageTally();
    parseText(`${readFileSync(fixture('conversation.jsonl'), 'utf8')}\n${JSON.stringify({ type: 'cost-state', totalCostUSD: 0.1234 })}\n`, new TranscriptParser(usage));
    expect(usage.usage.costUsd).toBe(0.1234);
  });

  it('marks the interrupted turn', () => {
    const texts = parseFile(fixture('interrupted.jsonl')).filter((m) => m.role === 'user').map((m) => m.text);
    expect(texts).toContain('[Request interrupted by user]');
  });

  it('skips lines that are not JSON', () => {
    expect(parseText(`not json\n${JSON.stringify({ type: 'user', uuid: 'u1', timestamp: 't', message: { role: 'user', content: 'ok' } })}\n`).map((m) => m.text)).toEqual(['ok']);
  });
});

describe('UsageTally', () => {
  const response = (messageId: string, inputTokens: number, outputTokens: number) => ({ messageId, model: 'claude-opus-5-5', inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 });

  it("sums over parsers (a session's transcripts), counting each response once, its last record counting", () => {
    const usage = new UsageTally();
    usage.add(response('a', 100, 1));
    usage.add(response('a', 100, 7)); // the same response's next content block: output grew
    usage.add(response('b', 50, 3));
    expect(usage.usage).toMatchObject({ inputTokens: 150, outputTokens: 10 });
  });

  it('keeps memory constant: responses long past are no longer remembered', () => {
    const usage = new UsageTally();
    for (let i = 0; i < 10_000; i++) usage.add(response(`m${i}`, 1, 1));
    expect(usage.usage).toMatchObject({ inputTokens: 10_000, outputTokens: 10_000 });
    expect((usage as unknown as { recent: Map<string, unknown> }).recent.size).toBeLessThanOrEqual(256);
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

describe('estimateCostUsd', () => {
  it("prices a model as Claude itself does where known, else by model family", () => {
    const tokens = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(estimateCostUsd('claude-opus-5-5', tokens)).toBe(24);
    expect(estimateCostUsd('claude-opus-4-1', tokens)).toBe(90);
    expect(estimateCostUsd('claude-sonnet-4-5', tokens)).toBe(18);
    expect(estimateCostUsd('claude-haiku-4-5', tokens)).toBe(4.8);
  });

  it('prices cache writes and reads by their own rates', () => {
    const cache = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000 };
    expect(estimateCostUsd('claude-opus-5-5', cache)).toBeCloseTo(5.2, 9);
    expect(estimateCostUsd('claude-sonnet-4-5', cache)).toBeCloseTo(3 * 1.25 + 3 * 0.1, 9);
  });
});
