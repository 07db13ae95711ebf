import { describe, expect, it } from 'vitest';
import { MASTER_IDENTITY } from './scopes.js';
import { SseTokens } from './sse-tokens.js';

describe('SseTokens', () => {
  it('redeems a token once', () => {
    const tokens = new SseTokens(60_000);
    const { token } = tokens.issue(MASTER_IDENTITY);
    expect(tokens.redeem(token)).toBe(MASTER_IDENTITY);
    expect(tokens.redeem(token)).toBeNull();
  });

  it('refuses a token once its lifetime is over, and forgets expired ones', () => {
    let now = 1_000_000;
    const tokens = new SseTokens(60_000, () => now);
    const { token, expiresAt } = tokens.issue(MASTER_IDENTITY);
    expect(Date.parse(expiresAt)).toBe(1_060_000);
    now += 60_000;
    expect(tokens.redeem(token)).toBeNull();
    tokens.issue(MASTER_IDENTITY);
    now += 60_000;
    tokens.issue(MASTER_IDENTITY);
    expect(tokens.outstanding).toBe(1);
  });
});
