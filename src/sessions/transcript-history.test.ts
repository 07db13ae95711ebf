import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageWeight, TranscriptParser, type TranscriptMessage } from '../claude/transcript.js';
import { CHUNK_BYTES, TranscriptFile, TranscriptRefused } from './transcript-file.js';
import { PAGE_WEIGHT, TranscriptHistory } from './transcript-history.js';

const fixture = (name: string) => join(import.meta.dirname, '../../test/fixtures/transcripts', name);
const scratchDir = () => mkdtempSync(join(tmpdir(), 'aegis-transcript-'));
const userRecord = (uuid: string, text: string) => JSON.stringify({ type: 'user', uuid, timestamp: 't', message: { role: 'user', content: text } });
const noYield = async () => {};

/** Reads everything the history can read now, as a session would, chunk by chunk. */
function readAll(history: TranscriptHistory): { messages: TranscriptMessage[]; chunks: number } {
  const messages: TranscriptMessage[] = [];
  let chunks = 0;
  for (let chunk = history.readChunk(); chunk; chunk = history.readChunk()) {
    chunks++;
    for (const message of chunk.messages) messages.push(message);
  }
  return { messages, chunks };
}

function refusals(): { problems: string[]; history: (paths: string[]) => TranscriptHistory } {
  const problems: string[] = [];
  return { problems, history: (paths) => new TranscriptHistory(paths, (_path, problem) => problems.push(problem)) };
}

describe('TranscriptFile', () => {
  it('reads only what was appended, and waits for a line to be complete', () => {
    const file = join(scratchDir(), 's.jsonl');
    writeFileSync(file, 'one\ntw');
    const reader = new TranscriptFile(file);
    const first = reader.read(0)!;
    expect(first.lines.toString()).toBe('one\n');
    expect(reader.read(first.end)).toBeNull();
    appendFileSync(file, 'o\n');
    expect(reader.read(first.end)!.lines.toString()).toBe('two\n');
  });

  it('treats a missing file as nothing yet', () => {
    expect(new TranscriptFile(join(scratchDir(), 'absent.jsonl')).read(0)).toBeNull();
  });

  it('reads at most a chunk at a time', () => {
    const file = join(scratchDir(), 's.jsonl');
    writeFileSync(file, 'y\n'.repeat(2 * CHUNK_BYTES));
    const reader = new TranscriptFile(file);
    const reads: number[] = [];
    for (let read = reader.read(0); read; read = reader.read(read.end)) reads.push(read.lines.length);
    expect(reads.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...reads)).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('skips one record too long to keep instead of stalling on it', () => {
    const file = join(scratchDir(), 's.jsonl');
    writeFileSync(file, `${'x'.repeat(9 * 1024 * 1024)}\n${userRecord('u', 'next')}\n`);
    const reader = new TranscriptFile(file);
    const skipped = reader.read(0)!;
    expect(skipped.lines.length).toBe(0);
    const rest = reader.read(skipped.end)!;
    // The rest of the long record is no JSON: the parser skips it.
    expect(rest.lines.toString().split('\n').filter(Boolean).flatMap((line) => new TranscriptParser().parseLine(line)).map((m) => m.text)).toEqual(['next']);
  });

  describe('refuses what a session may put at the path in place of its transcript', () => {
    const refused = (file: string) => {
      const reader = new TranscriptFile(file);
      expect(() => reader.read(0)).toThrow(TranscriptRefused);
    };

    it('a FIFO, without blocking on it', () => {
      const file = join(scratchDir(), 's.jsonl');
      execFileSync('mkfifo', [file]);
      refused(file);
    });

    it('a directory', () => {
      const file = join(scratchDir(), 's.jsonl');
      mkdirSync(file);
      refused(file);
    });

    it('a symbolic link, even to a regular transcript elsewhere', () => {
      const dir = scratchDir();
      writeFileSync(join(dir, 'elsewhere.jsonl'), `${userRecord('u', 'not yours')}\n`);
      symlinkSync(join(dir, 'elsewhere.jsonl'), join(dir, 's.jsonl'));
      refused(join(dir, 's.jsonl'));
    });

    it.skipIf(process.getuid?.() !== 0)('a device', () => {
      const file = join(scratchDir(), 's.jsonl');
      execFileSync('mknod', [file, 'c', '1', '5']); // /dev/zero: endless
      refused(file);
    });

    it('another file moved in place of the one read, or the one read truncated', () => {
      const dir = scratchDir();
      const file = join(dir, 's.jsonl');
      writeFileSync(file, 'one\n');
      const reader = new TranscriptFile(file);
      const { end } = reader.read(0)!;
      writeFileSync(join(dir, 'other'), 'one\ntwo\n');
      renameSync(join(dir, 'other'), file);
      expect(() => reader.read(end)).toThrow(/another file/);

      const shrinking = new TranscriptFile(join(dir, 'shrinking.jsonl'));
      writeFileSync(shrinking.path, 'one\ntwo\n');
      const read = shrinking.read(0)!;
      truncateSync(shrinking.path, 2);
      expect(() => shrinking.read(read.end)).toThrow(/shrank/);
    });
  });
});

describe('TranscriptHistory', () => {
  it('numbers messages across transcripts and serves any page, from memory or from the files', async () => {
    const dir = scratchDir();
    const first = join(dir, 'a.jsonl');
    const second = join(dir, 'b.jsonl');
    copyLines(fixture('conversation.jsonl'), first, 40); // tool uses and results, many times over
    writeFileSync(second, Array.from({ length: 1000 }, (_, i) => userRecord(`b${i}`, `after clear ${i}`)).join('\n') + '\n');
    const history = new TranscriptHistory([first], () => {});
    const before = readAll(history).messages;
    history.add(second);
    const after = readAll(history).messages;
    const all = [...before, ...after];
    expect(history.count).toBe(all.length);
    expect(all.at(-1)!.text).toBe('after clear 999');

    const pages: TranscriptMessage[] = [];
    for (let cursor = 0; cursor < history.count; cursor += 173) pages.push(...(await history.page(cursor, 173, noYield)));
    expect(pages).toEqual(all);
    // Every tool result is named after its tool use, also when a page starts right after the use.
    expect(pages.filter((m) => m.kind === 'tool_result' && !m.toolName)).toEqual([]);
    // The same files read again (a restarted daemon) give the same numbers.
    const again = new TranscriptHistory([first, second], () => {});
    expect(readAll(again).messages).toEqual(all);
  });

  it('keeps fewer large messages in memory, and serves pages of them that fit, every message still reachable', async () => {
    const file = join(scratchDir(), 's.jsonl');
    const big = (i: number) => `${i} ${'x'.repeat(20_000)}`;
    writeFileSync(file, Array.from({ length: 700 }, (_, i) => userRecord(`u${i}`, big(i))).join('\n') + '\n');
    const history = new TranscriptHistory([file], () => {});
    readAll(history);
    expect(history.count).toBe(700);
    // In memory: at most twice RECENT_WEIGHT's characters, far fewer than the 400 small messages it may hold.
    const recent = history.since(0);
    expect(recent.length).toBeLessThan(250);
    expect(recent.reduce((sum, m) => sum + messageWeight(m), 0)).toBeLessThanOrEqual(2 * 1_000_000);
    // A page of 1000 asked for holds what fits in PAGE_WEIGHT, from the files and from memory.
    const fromFiles = await history.page(0, 1000, noYield);
    const fromMemory = await history.page(700 - recent.length, 1000, noYield);
    for (const page of [fromFiles, fromMemory]) {
      expect(page.length).toBeGreaterThan(1);
      expect(page.reduce((sum, m) => sum + messageWeight(m), 0)).toBeLessThanOrEqual(PAGE_WEIGHT);
    }
    expect(fromFiles.length).toBeLessThan(700);
    // Read on from each page's end, every message comes once, in order.
    const texts: string[] = [];
    for (let cursor = 0; cursor < history.count; ) {
      const page = await history.page(cursor, 1000, noYield);
      texts.push(...page.map((m) => m.text.split(' ')[0]!));
      cursor += page.length;
    }
    expect(texts).toEqual(Array.from({ length: 700 }, (_, i) => String(i)));
  });

  it('reads a huge transcript in bounded chunks, keeping only the latest messages in memory', async () => {
    const file = join(scratchDir(), 's.jsonl');
    const records = 200_000;
    writeFileSync(file, Array.from({ length: records }, (_, i) => userRecord(`u${i}`, `record ${i}`)).join('\n') + '\n');
    const history = new TranscriptHistory([file], () => {});
    const first = history.readChunk()!;
    expect(first.messages.length).toBeGreaterThan(0);
    expect(first.messages.length).toBeLessThan(records / 10);
    const { chunks } = readAll(history);
    expect(chunks).toBeGreaterThan(10);
    expect(history.count).toBe(records);
    expect((history as unknown as { recent: unknown[] }).recent.length).toBeLessThan(1000);
    expect((await history.page(123_456, 3, noYield)).map((m) => m.text)).toEqual(['record 123456', 'record 123457', 'record 123458']);
    expect((await history.page(records - 2, 10, noYield)).map((m) => m.text)).toEqual([`record ${records - 2}`, `record ${records - 1}`]);
  });

  it('reports a transcript it refuses, reads nothing of it, and goes on with the next one', () => {
    const dir = scratchDir();
    execFileSync('mkfifo', [join(dir, 'a.jsonl')]);
    writeFileSync(join(dir, 'b.jsonl'), `${userRecord('u', 'after')}\n`);
    const { problems, history } = refusals();
    const h = history([join(dir, 'a.jsonl'), join(dir, 'b.jsonl')]);
    expect(readAll(h).messages.map((m) => m.text)).toEqual(['after']);
    expect(problems).toEqual(['it is a FIFO, not a regular file']);
    expect(h.problem).toContain('a.jsonl: it is a FIFO');
  });
});

/** Writes `times` copies of a transcript's lines, each record's ids made unique per copy. */
function copyLines(from: string, to: string, times: number): void {
  const lines = readFileSync(from, 'utf8').split('\n').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < times; i++) for (const line of lines) out.push(line.replace(/"(uuid|id|tool_use_id)":"([^"]+)"/g, `"$1":"$2-${i}"`));
  writeFileSync(to, `${out.join('\n')}\n`);
}

