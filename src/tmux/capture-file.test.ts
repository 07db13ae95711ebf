import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureFiles } from './capture-file.js';

describe('CaptureFiles', () => {
  it('reads a saved screen line by line and removes it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'aegis-captures-')), 'captures');
    const captures = new CaptureFiles(dir, 'd');
    const { buffer, file } = captures.next();
    expect(buffer).toMatch(/^aegis-capture-d-\d+-[0-9a-f]{6}-1$/);
    writeFileSync(file, 'one\n%end 1 2 1\n\n');
    expect(captures.read(file)).toEqual(['one', '%end 1 2 1', '']);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a FIFO or a link put in place of the file, without blocking, and removes it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'aegis-captures-')), 'captures');
    const captures = new CaptureFiles(dir, 'd');
    const fifo = captures.next().file;
    execFileSync('mkfifo', [fifo]);
    expect(() => captures.read(fifo)).toThrow(/not a regular file/);
    expect(existsSync(fifo)).toBe(false);
    const link = captures.next().file;
    writeFileSync(join(dir, 'elsewhere'), 'secret\n');
    symlinkSync(join(dir, 'elsewhere'), link);
    expect(() => captures.read(link)).toThrow(/cannot read the screen/);
    expect(existsSync(link)).toBe(false);
  });

  it('fails as tmux failing, not with a bare error, when its directory cannot be made', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aegis-captures-')), 'a-file');
    writeFileSync(file, 'x');
    expect(() => new CaptureFiles(join(file, 'captures'), 'd').next()).toThrow(expect.objectContaining({ name: 'TmuxError', kind: 'failed' }));
  });

  it('sweeps capture files a stopped daemon left, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-captures-'));
    mkdirSync(dir, { recursive: true });
    const stale = join(dir, 'aegis-capture-old-1-abcdef-3.txt');
    const fresh = join(dir, 'aegis-capture-other-2-abcdef-1.txt');
    const other = join(dir, 'notes.txt');
    for (const file of [stale, fresh, other]) writeFileSync(file, 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(stale, hourAgo, hourAgo);
    utimesSync(other, hourAgo, hourAgo);
    new CaptureFiles(dir, 'd').next();
    expect([stale, fresh, other].map(existsSync)).toEqual([false, true, true]);
  });
});
