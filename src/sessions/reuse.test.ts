import { describe, expect, it } from 'vitest';
import { isReusableFor, type ReuseCandidate, type ReuseWish } from './reuse.js';

const wish: ReuseWish = { workDir: '/srv/app', ownerKeyId: null, permissionMode: 'default', permissionProfile: null, model: null, hasOwnEnv: false, maxCostUsd: null, maxTokens: null, name: null };
const idle: ReuseCandidate = {
  record: { name: 'session-1', status: 'idle', workDir: '/srv/app', ownerKeyId: null, permissionMode: 'default', permissionProfile: null, model: null, maxCostUsd: null, maxTokens: null },
  ending: false,
  reserved: false,
  busyWithInput: false,
};

describe('isReusableFor', () => {
  it('reuses an idle session of the same caller, workDir, mode, profile and model', () => {
    expect(isReusableFor(idle, wish)).toBe(true);
    expect(isReusableFor(idle, { ...wish, name: 'session-1' })).toBe(true);
  });

  it('does not reuse a session that is being reaped or deleted, being typed into, or taken by a concurrent create', () => {
    expect(isReusableFor({ ...idle, ending: true }, wish)).toBe(false);
    expect(isReusableFor({ ...idle, busyWithInput: true }, wish)).toBe(false);
    expect(isReusableFor({ ...idle, reserved: true }, wish)).toBe(false);
  });

  it.each([
    ['another status', { record: { ...idle.record, status: 'working' as const } }, {}],
    ['another workDir', {}, { workDir: '/srv/other' }],
    ['another caller', {}, { ownerKeyId: 'key_1' }],
    ['another mode', {}, { permissionMode: 'acceptEdits' as const }],
    ['another profile', {}, { permissionProfile: 'strict' }],
    ['another model', {}, { model: 'claude-fake' }],
    ['an env of its own', {}, { hasOwnEnv: true }],
    ['another name asked for', {}, { name: 'release-notes' }],
  ])('does not reuse for %s', (_what, candidate, asked) => {
    expect(isReusableFor({ ...idle, ...candidate }, { ...wish, ...asked })).toBe(false);
  });
});
