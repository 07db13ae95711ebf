/** Which identity a presented bearer credential stands for, with a master token set. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyRepository } from '../auth/key-repository.js';
import { KeyService } from '../auth/keys.js';
import { MASTER_IDENTITY } from '../auth/scopes.js';
import { identify } from './auth.js';

const services: KeyService[] = [];
afterEach(() => {
  for (const keys of services.splice(0)) keys.close();
});

function keyService(): KeyService {
  const keys = new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [] });
  services.push(keys);
  return keys;
}

describe('identify', () => {
  it('finds a key, the master token, and neither, on a connection or not', () => {
    const keys = keyService();
    const authToken = 'a-master-token-of-enough-length-0123';
    const made = keys.create({ name: 'bot', role: 'viewer' });
    for (const connection of [undefined, {}]) {
      expect(identify(made.key, { authToken, keys }, connection)).toMatchObject({ identity: { kind: 'key', keyId: made.id } });
      expect(identify(authToken, { authToken, keys }, connection)).toEqual({ identity: MASTER_IDENTITY });
      expect(identify(`${made.key}x`, { authToken, keys }, connection)).toEqual({ failure: 'invalid credentials' });
      expect(identify('something-else', { authToken, keys }, connection)).toEqual({ failure: 'invalid credentials' });
    }
  });

  it('takes a master token that looks like a key for the master token', () => {
    const keys = keyService();
    const authToken = 'aeg_not-a-key-but-the-master-token-0123';
    keys.create({ name: 'bot', role: 'viewer' });
    expect(identify(authToken, { authToken, keys }, {})).toEqual({ identity: MASTER_IDENTITY });
  });

  it('says why a key it knows is refused, with or without a master token', () => {
    const keys = keyService();
    const made = keys.create({ name: 'bot', role: 'viewer' });
    keys.revoke(made.id);
    expect(identify(made.key, { authToken: 'a-master-token-of-enough-length-0123', keys }, {})).toEqual({ failure: 'the API key is revoked' });
    expect(identify(made.key, { authToken: undefined, keys })).toEqual({ failure: 'the API key is revoked' });
  });
});
