import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyRepository } from './key-repository.js';
import { KeyService } from './keys.js';
import { createKeySchema } from './key-inputs.js';
import { ROLES, SCOPES } from './scopes.js';

const services: KeyService[] = [];
afterEach(() => {
  for (const keys of services.splice(0)) keys.close();
});

function service(options: { daemonWorkdirs?: string[]; permissionProfiles?: string[] } = {}) {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const repository = new MemoryKeyRepository();
  const keys = new KeyService(repository, { daemonWorkdirs: options.daemonWorkdirs ?? [], permissionProfiles: options.permissionProfiles ?? [], now: () => clock.now });
  services.push(keys);
  return { keys, repository, clock };
}

describe('KeyService', () => {
  it('authenticates a key by its secret and nothing else, with its role\'s scopes and limits', () => {
    const { keys } = service({ permissionProfiles: ['ci'] });
    const made = keys.create({ name: 'bot', role: 'approver', maxSessions: 2, permissionProfile: 'ci' });
    const check = keys.authenticate(made.key);
    expect(check).toMatchObject({ ok: true, identity: { kind: 'key', keyId: made.id, limits: { maxSessions: 2, permissionProfile: 'ci' } } });
    expect(check.ok && [...check.identity.scopes]).toEqual(['sessions:read', 'permissions:write']);
    expect(keys.authenticate(made.key.slice(0, -1) + (made.key.endsWith('A') ? 'B' : 'A'))).toEqual({ ok: false, reason: 'unknown' });
    expect(keys.authenticate('not-a-key')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('makes a key created with neither a role nor scopes a viewer, and refuses both at once', () => {
    const { keys } = service();
    const input = createKeySchema.parse({ name: 'reader' });
    expect(keys.create(input).scopes).toEqual(SCOPES.filter((scope) => (ROLES.viewer as readonly string[]).includes(scope)));
    const both = createKeySchema.safeParse({ name: 'x', role: 'admin', scopes: ['sessions:read'] });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]).toMatchObject({ path: ['role'], message: 'give one of role or scopes, not both' });
  });

  it('stores no secret, and loads keys back from the repository', () => {
    const { keys, repository } = service();
    const made = keys.create({ name: 'bot', scopes: ['sessions:read'] });
    expect(JSON.stringify(repository.all())).not.toContain(made.key);
    const reloaded = new KeyService(repository, { daemonWorkdirs: [], permissionProfiles: [] });
    expect(reloaded.authenticate(made.key).ok).toBe(true);
    reloaded.close();
  });

  it('refuses a key after its expiry, and after its revocation', () => {
    const { keys, clock } = service();
    const expiring = keys.create({ name: 'short', role: 'viewer', expiresInDays: 1 });
    const revoked = keys.create({ name: 'gone', role: 'viewer' });
    keys.revoke(revoked.id);
    expect(keys.authenticate(revoked.key)).toEqual({ ok: false, reason: 'revoked' });
    expect(keys.authenticate(expiring.key).ok).toBe(true);
    clock.now += 24 * 3600 * 1000;
    expect(keys.authenticate(expiring.key)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps a rotated-out secret working until its grace time, then refuses it', () => {
    const { keys, clock } = service();
    const made = keys.create({ name: 'bot', role: 'viewer' });
    const rotated = keys.rotate(made.id, { graceSeconds: 60 });
    expect(keys.authenticate(made.key).ok).toBe(true);
    expect(keys.authenticate(rotated.key).ok).toBe(true);
    clock.now += 60_000;
    expect(keys.authenticate(made.key)).toEqual({ ok: false, reason: 'expired' });
    expect(keys.authenticate(rotated.key).ok).toBe(true);
    // A second rotation ends the first secret's grace for good.
    const third = keys.rotate(made.id);
    expect(keys.authenticate(made.key).ok).toBe(false);
    expect(keys.authenticate(rotated.key).ok).toBe(true);
    expect(keys.authenticate(third.key).ok).toBe(true);
  });

  it('counts uses and writes them in one batch', () => {
    const { keys, repository } = service();
    const made = keys.create({ name: 'bot', role: 'viewer' });
    keys.authenticate(made.key);
    keys.authenticate(made.key);
    expect(repository.all()[0]!.useCount).toBe(0);
    // Shown before it is written.
    expect(keys.list()[0]).toMatchObject({ useCount: 2, lastUsedAt: '2026-01-01T00:00:00.000Z' });
    keys.close();
    expect(repository.all()[0]).toMatchObject({ useCount: 2, lastUsedAt: '2026-01-01T00:00:00.000Z' });
  });

  describe('on a connection that presented a good secret before', () => {
    it('takes the same secret again as the same key, counting each use, and anything else only by the whole check', () => {
      const { keys, repository } = service();
      const one = keys.create({ name: 'one', role: 'viewer' });
      const two = keys.create({ name: 'two', role: 'admin' });
      const connection = {};
      expect(keys.authenticateOn(connection, one.key)).toMatchObject({ ok: true, identity: { keyId: one.id } });
      expect(keys.authenticateOn(connection, one.key)).toMatchObject({ ok: true, identity: { keyId: one.id } });
      // A proxy's connection carries another client: its own key, or nothing good.
      expect(keys.authenticateOn(connection, two.key)).toMatchObject({ ok: true, identity: { keyId: two.id } });
      expect(keys.authenticateOn(connection, one.key.slice(0, -1) + (one.key.endsWith('A') ? 'B' : 'A'))).toEqual({ ok: false, reason: 'unknown' });
      expect(keys.authenticateOn(connection, `${one.key}x`)).toEqual({ ok: false, reason: 'unknown' });
      expect(keys.authenticateOn(connection, '')).toEqual({ ok: false, reason: 'unknown' });
      expect(keys.authenticateOn(connection, one.key).ok).toBe(true);
      keys.close();
      expect(repository.all().find((k) => k.id === one.id)!.useCount).toBe(3);
    });

    it('refuses the secret once its key is revoked, expired, or rotated past its grace', () => {
      const { keys, clock } = service();
      const revoked = keys.create({ name: 'gone', role: 'viewer' });
      const expiring = keys.create({ name: 'short', role: 'viewer', expiresInDays: 1 });
      const rotated = keys.create({ name: 'turned', role: 'viewer' });
      const [a, b, c] = [{}, {}, {}];
      expect(keys.authenticateOn(a, revoked.key).ok).toBe(true);
      expect(keys.authenticateOn(b, expiring.key).ok).toBe(true);
      expect(keys.authenticateOn(c, rotated.key).ok).toBe(true);
      keys.revoke(revoked.id);
      expect(keys.authenticateOn(a, revoked.key)).toEqual({ ok: false, reason: 'revoked' });
      const next = keys.rotate(rotated.id, { graceSeconds: 60 });
      expect(keys.authenticateOn(c, rotated.key).ok).toBe(true);
      clock.now += 60_000;
      expect(keys.authenticateOn(c, rotated.key)).toEqual({ ok: false, reason: 'expired' });
      expect(keys.authenticateOn(c, next.key).ok).toBe(true);
      clock.now += 24 * 3600 * 1000;
      expect(keys.authenticateOn(b, expiring.key)).toEqual({ ok: false, reason: 'expired' });
    });
  });

  it("refuses roots outside the daemon's own and a profile it does not know", () => {
    const { keys } = service({ daemonWorkdirs: ['/srv/repos'], permissionProfiles: ['ci'] });
    expect(() => keys.create({ name: 'x', role: 'viewer', allowedWorkdirs: ['/srv/repos/app'] })).not.toThrow();
    expect(() => keys.create({ name: 'x', role: 'viewer', allowedWorkdirs: ['/srv/repos/../etc'] })).toThrow(/not inside the daemon's allowedWorkdirs/);
    expect(() => keys.create({ name: 'x', role: 'viewer', allowedWorkdirs: ['/srv/repository'] })).toThrow(/not inside/);
    expect(() => keys.create({ name: 'x', role: 'viewer', permissionProfile: 'nope' })).toThrow(/unknown profile/);
  });

  it('tells revocation listeners, once', () => {
    const { keys } = service();
    const made = keys.create({ name: 'bot', role: 'viewer' });
    const heard: string[] = [];
    keys.onRevoke((id) => heard.push(id));
    keys.revoke(made.id);
    keys.revoke(made.id);
    expect(heard).toEqual([made.id]);
    expect(() => keys.revoke('key_nope')).toThrow(/no key key_nope/);
  });
});
