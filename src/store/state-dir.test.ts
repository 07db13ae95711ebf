import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareStateDir } from './state-dir.js';

describe('prepareStateDir', () => {
  let root: string | null = null;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = null;
  });

  it('creates every missing directory of the path, each closed to its owner', () => {
    root = mkdtempSync(join(tmpdir(), 'aegis-state-dir-'));
    const dir = join(root, 'a', 'b', 'state');
    expect(prepareStateDir(dir)).toBeNull();
    for (const made of [join(root, 'a'), join(root, 'a', 'b'), dir]) expect(statSync(made).mode & 0o777).toBe(0o700);
  });

  it('fails with the error mkdir gives for a path where no directory can be made, rather than trying forever', () => {
    // mkdir answers ENOENT under /proc though /proc exists: Node's recursive mkdir loops on that.
    expect(() => prepareStateDir('/proc/aegis-state-dir-test/state')).toThrow(/ENOENT/);
  });
});
