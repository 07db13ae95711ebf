import { describe, expect, it } from 'vitest';
import { isTranscriptBeside } from './transcript.js';

const own = '/home/u/.claude/projects/-srv-app/2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11.jsonl';

describe('isTranscriptBeside', () => {
  it("follows a new transcript in the session's own project directory (after /clear)", () => {
    expect(isTranscriptBeside('/home/u/.claude/projects/-srv-app/4f9e0d1a-0000-4000-8000-000000000000.jsonl', own)).toBe(true);
  });

  it("follows the session's own file under another directory name of the same projects root", () => {
    expect(isTranscriptBeside('/home/u/.claude/projects/-srv-app-3f2a1b/2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11.jsonl', own)).toBe(true);
  });

  it("does not take another project's transcript as the session's own", () => {
    expect(isTranscriptBeside('/home/u/.claude/projects/-srv-secret/4f9e0d1a-0000-4000-8000-000000000000.jsonl', own)).toBe(false);
  });

  it.each([
    '/home/u/.claude/projects/-srv-app/../-srv-secret/x.jsonl',
    '/home/u/.claude/projects/-srv-app/x.txt',
    '/etc/passwd',
    '/home/u/.claude/projects/-srv-app/x\0.jsonl',
  ])('refuses %j', (path) => {
    expect(isTranscriptBeside(path, own)).toBe(false);
  });
});
