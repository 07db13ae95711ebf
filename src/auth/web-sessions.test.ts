/**
 * Web sessions: the secret is kept only as a hash, a session ends at its own expiry and with its
 * credential (a revoked or expired key, a rotated key's grace, another master token), expired ones are
 * pruned as new ones are made, and a logout tells its listeners.
 */
import { describe, expect, it } from 'vitest';
import { MemoryKeyRepository } from './key-repository.js';
import { KeyService } from './keys.js';
import { MASTER_IDENTITY } from './scopes.js';
import { MemoryWebSessionRepository, WebSessions, type StoredWebSession } from './web-sessions.js';

const HOUR = 3600_000;
const TOKEN = 'web-sessions-master-token-0123456789';

/** `null`: a daemon without a master token. */
function setup(token: string | null = TOKEN) {
  const authToken = token ?? undefined;
  let now = Date.parse('2026-05-01T00:00:00Z');
  const keys = new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [], now: () => now });
  const stored: StoredWebSession[] = [];
  const repository = new MemoryWebSessionRepository();
  const insert = repository.insert.bind(repository);
  repository.insert = (session) => {
    stored.push(session);
    insert(session);
  };
  const sessions = new WebSessions(repository, keys, { ttlMs: 12 * HOUR, authToken, now: () => now });
  return { keys, sessions, repository, stored, advance: (ms: number) => (now += ms), now: () => now };
}

describe('web sessions', () => {
  it('keeps no secret, only its hash, and stands for the key it was made with', () => {
    const { keys, sessions, stored } = setup();
    const made = keys.create({ name: 'k', role: 'viewer' });
    const login = sessions.open(keys.identityOf(made.id)!);
    expect(JSON.stringify(stored)).not.toContain(login.secret);
    expect(JSON.stringify(stored)).not.toContain(made.key);
    const check = sessions.check(login.secret);
    expect(check).toMatchObject({ ok: true, csrfToken: login.csrfToken, identity: { keyId: made.id, webSession: stored[0]!.secretHash } });
    expect(sessions.check(`${login.secret}x`)).toMatchObject({ ok: false });
  });

  it('ends at its own expiry, and sooner with its key', () => {
    const { keys, sessions, advance } = setup();
    const made = keys.create({ name: 'k', role: 'operator' });
    const login = sessions.open(keys.identityOf(made.id)!);
    advance(12 * HOUR - 1);
    expect(sessions.check(login.secret).ok).toBe(true);
    advance(1);
    expect(sessions.check(login.secret)).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });

    const revocable = keys.create({ name: 'r', role: 'operator' });
    const second = sessions.open(keys.identityOf(revocable.id)!);
    keys.revoke(revocable.id);
    expect(sessions.check(second.secret).ok).toBe(false);

    const short = keys.create({ name: 's', role: 'viewer', expiresInDays: 1 });
    advance(23 * HOUR);
    const third = sessions.open(keys.identityOf(short.id)!);
    expect(third.expiresAt).toBe(Date.parse(short.expiresAt!));
    advance(HOUR);
    expect(sessions.check(third.secret).ok).toBe(false);
  });

  it("ends a master token's session when the daemon's token is another", () => {
    const first = setup();
    const login = first.sessions.open(MASTER_IDENTITY);
    expect(first.sessions.check(login.secret)).toMatchObject({ ok: true, identity: { kind: 'master' } });
    const changed = new WebSessions(first.repository, first.keys, { ttlMs: 12 * HOUR, authToken: 'another-master-token-0123456789', now: first.now });
    expect(changed.check(login.secret).ok).toBe(false);
    const none = setup(null);
    expect(none.sessions.check(none.sessions.open(MASTER_IDENTITY).secret).ok).toBe(false);
  });

  it('prunes expired sessions as new ones are made, at most once a minute, and tells of a logout', () => {
    const { sessions, repository, advance } = setup();
    sessions.open(MASTER_IDENTITY);
    sessions.open(MASTER_IDENTITY);
    advance(12 * HOUR);
    const kept = sessions.open(MASTER_IDENTITY);
    expect(repository.size).toBe(1);
    const ended: string[] = [];
    sessions.onLogout((id) => ended.push(id));
    const id = (sessions.check(kept.secret) as { identity: { webSession: string } }).identity.webSession;
    sessions.close(kept.secret);
    sessions.close(kept.secret);
    expect(ended).toEqual([id]);
    expect(repository.size).toBe(0);
  });
});
