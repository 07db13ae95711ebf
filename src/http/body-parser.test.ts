import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from './body-parser.js';

describe('nestedDeeperThan', () => {
  it('counts arrays and objects opened inside each other', () => {
    expect(nestedDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestedDeeperThan('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(nestedDeeperThan('[[],[],[]]', 2)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestedDeeperThan('{"a":"[[[[{{{{\\"[[[["}', 1)).toBe(false);
    expect(nestedDeeperThan('["\\\\",[[]]]', 2)).toBe(true);
  });

  it('answers for 20 000 levels without recursing', () => {
    expect(nestedDeeperThan(`${'['.repeat(20_000)}${']'.repeat(20_000)}`, 64)).toBe(true);
  });
});
