import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { backupStateDir, withDatabaseReadOnly } from './offline-database.js';

/** What a call threw, or undefined. */
async function thrown(run: () => unknown): Promise<Error | undefined> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

describe('the state dir opened from outside the daemon', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'aegis-offline-'));
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('names the file it cannot open, or that is no database, in its error', async () => {
    const missing = join(scratch, 'empty-state', 'aegis.db');
    const cannotOpen = await thrown(() => withDatabaseReadOnly(missing, () => 0));
    expect(cannotOpen?.message).toContain(missing);

    const junk = join(scratch, 'junk.db');
    writeFileSync(junk, 'this is no database, but long enough to have a header of sorts: '.repeat(4));
    const notADatabase = await thrown(() => withDatabaseReadOnly(junk, (db) => db.pragma('integrity_check')));
    expect(notADatabase?.message).toMatch(new RegExp(`^${junk}: .*not a database`));
  });

  it('names the state dir that holds no database, and the backup whose directory does not exist', async () => {
    const empty = join(scratch, 'empty-state');
    const noDatabase = await thrown(() => backupStateDir(empty, join(scratch, 'b.db')));
    expect(noDatabase?.message).toContain(join(empty, 'aegis.db'));

    const state = join(scratch, 'state');
    mkdirSync(state);
    openDatabase(join(state, 'aegis.db')).close();
    const target = join(scratch, 'no-such-dir', 'b.db');
    const noDirectory = await thrown(() => backupStateDir(state, target));
    expect(noDirectory?.message).toContain(target);
  });
});
