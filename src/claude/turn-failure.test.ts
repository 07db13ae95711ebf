import { describe, expect, it } from 'vitest';
import { turnFailureHint } from './turn-failure.js';

describe('turnFailureHint', () => {
  it('says how to give Claude a key or login when it has none, and to check the key when the API refused it', () => {
    expect(turnFailureHint('authentication_failed', 'Not logged in · Please run /login')).toMatch(/no usable API key or login: set ANTHROPIC_API_KEY .*aegis doctor/);
    expect(turnFailureHint('authentication_failed', 'Please run /login · API Error: 401 invalid x-api-key')).toMatch(/refused Claude Code's credentials/);
  });

  it('has nothing to add to other failures', () => {
    expect(turnFailureHint('rate_limit', 'API Error: 429')).toBeUndefined();
  });
});
