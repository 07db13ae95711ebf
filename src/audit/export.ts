/**
 * The audit log written out for a SIEM or a spreadsheet: JSON Lines (one entry per line, as the API
 * shows it) or CSV with a header row (csv.ts). Entries are read a page at a time by id and handed on
 * in small pieces of text, so an export of any size holds one page in memory; the reader's pace decides
 * when the next piece is made and the next page read. The range is fixed when the export starts: entries written
 * meanwhile are not in it.
 */
import type { AuditEntry } from './audit-entry.js';
import type { AuditQuery, AuditRepository } from './audit-repository.js';
import { csvRecord } from './csv.js';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CSV_COLUMNS = ['id', 'at', 'actor', 'actorName', 'action', 'resource', 'ip', 'outcome', 'details', 'hash'] as const;

const PAGE = 500;
/**
 * Text is handed on in pieces of about this many characters: far below the size (128 KiB) at which V8
 * puts a string in its large-object space, which only a full collection frees; an export of pages
 * (150 KiB each) grew the daemon by tens of MB before one came.
 */
const CHUNK_CHARS = 16 * 1024;

export type ExportRange = Pick<AuditQuery, 'start' | 'end' | 'actor' | 'action' | 'resource'>;

export async function* exportAudit(repository: Pick<AuditRepository, 'page' | 'last'>, format: ExportFormat, range: ExportRange): AsyncGenerator<string> {
  const maxId = repository.last()?.id ?? 0;
  const line = format === 'csv' ? csvLine : jsonLine;
  let text = format === 'csv' ? csvRecord(CSV_COLUMNS) : '';
  let afterId = 0;
  for (;;) {
    const page = repository.page({ ...range, afterId, maxId, limit: PAGE });
    for (const entry of page) {
      text += line(entry);
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
    if (page.length < PAGE) break;
    afterId = page[page.length - 1]!.id;
  }
  if (text) yield text;
}

export function csvLine(entry: AuditEntry): string {
  return csvRecord(CSV_COLUMNS.map((column) => cell(column === 'details' ? JSON.stringify(entry.details) : entry[column])));
}

function jsonLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

function cell(value: string | number | null): string {
  return value === null ? '' : String(value);
}
