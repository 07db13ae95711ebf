/**
 * CSV as RFC 4180 writes it (fields separated by commas, records by CRLF, a field quoted when it holds
 * a comma, a quote, CR or LF, quotes doubled inside), with two changes for spreadsheets: a field that
 * begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula by Excel, Calc or
 * Sheets, so it gets a leading `'` (OWASP's advice on CSV injection); and a field holding `;` is
 * quoted too, since a spreadsheet set to split on `;` would otherwise start a cell (perhaps a formula)
 * after it. Nothing else is altered.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralise(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvField(value: string): string {
  const safe = neutralise(value);
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRecord(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
