import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { MetaStore } from './meta-store.js';
import { nextNodeEpoch } from './node-epoch.js';

describe('nextNodeEpoch', () => {
  it('is one more at every start, kept in the database, and does not fail a start whose store takes no writes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aegis-epoch-')), 'aegis.db');
    const db = openDatabase(file);
    try {
      const meta = new MetaStore(db);
      expect([nextNodeEpoch(meta), nextNodeEpoch(meta)]).toEqual([1, 2]);
      db.pragma('query_only = ON');
      expect(nextNodeEpoch(meta)).toBe(3);
      expect(nextNodeEpoch(meta)).toBe(3);
    } finally {
      db.close();
    }
  });
});
