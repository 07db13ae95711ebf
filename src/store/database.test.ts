import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

describe('openDatabase', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'aegis-database-'));
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses a database written by a newer Aegis, and leaves it as it was', () => {
    const file = join(scratch, 'aegis.db');
    openDatabase(file).close();
    const newer = new Database(file);
    const known = newer.pragma('user_version', { simple: true }) as number;
    newer.pragma(`user_version = ${known + 5}`);
    newer.close();

    expect(() => openDatabase(file)).toThrow(`${file} was written by a newer Aegis (schema ${known + 5}; this one knows ${known})`);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(known + 5);
    after.close();
  });
});
