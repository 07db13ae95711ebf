import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureUserDir } from './user-dirs.js';

const nobody = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' };

describe.runIf(process.getuid?.() === 0)("a session user's transcript folder", () => {
  let root: string;
  let base: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aegis-user-dirs-'));
    base = join(root, '.claude');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is made level by level, each owned by the user', () => {
    ensureUserDir(base, join(base, 'projects', '-srv-app'), nobody);
    for (const dir of [base, join(base, 'projects'), join(base, 'projects', '-srv-app')]) expect(statSync(dir).uid).toBe(nobody.uid);
  });

  it('is refused where a level is a symlink the user placed, and nothing is made through it', () => {
    mkdirSync(base);
    chownSync(base, nobody.uid, nobody.gid);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(base, 'projects'));
    expect(() => ensureUserDir(base, join(base, 'projects', '-srv-app'), nobody)).toThrow(/is not a directory of nobody/);
    expect(existsSync(join(elsewhere, '-srv-app'))).toBe(false);
  });

  it("is refused where a level is someone else's", () => {
    mkdirSync(join(base, 'projects'), { recursive: true });
    expect(() => ensureUserDir(base, join(base, 'projects', 'x'), nobody)).toThrow(/is not a directory of nobody/);
  });
});
