/**
 * The HTTP layer is an adapter over the Supervisor and the daemon's status: no file in it reaches tmux,
 * the store or a process of its own. What it needs of them arrives through the composition root.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HTTP_DIR = dirname(fileURLToPath(import.meta.url));
const SRC_DIR = resolve(HTTP_DIR, '..');
const FORBIDDEN_FOLDERS = ['tmux', 'store'];
const FORBIDDEN_PACKAGES = ['better-sqlite3', 'execa', 'child_process', 'node:child_process'];
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the HTTP layer', () => {
  it.each(sourceFiles(HTTP_DIR).map((file) => [relative(SRC_DIR, file), file]))('%s imports nothing from tmux/, store/, better-sqlite3, execa or child_process', (_name, file) => {
    const specifiers = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]!);
    const offending = specifiers.filter((specifier) => {
      if (FORBIDDEN_PACKAGES.includes(specifier)) return true;
      if (!specifier.startsWith('.')) return false;
      const folder = relative(SRC_DIR, resolve(dirname(file), specifier)).split('/')[0]!;
      return FORBIDDEN_FOLDERS.includes(folder);
    });
    expect(offending).toEqual([]);
  });
});
