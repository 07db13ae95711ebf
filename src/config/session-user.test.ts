import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeConfigDirOf, lookUpUser, resolveSessionUser } from './session-user.js';

describe('the session user', () => {
  it('is looked up in the user database by exact name', () => {
    const passwd = join(mkdtempSync(join(tmpdir(), 'aegis-passwd-')), 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\nagent-x:x:1001:1002::/home/agent-x:/bin/sh\nagent:x:1003:1004::/home/agent/:/bin/sh\n');
    expect(lookUpUser('agent', passwd)).toEqual({ name: 'agent', uid: 1003, gid: 1004, home: '/home/agent/' });
    expect(lookUpUser('agen', passwd)).toBeNull();
    expect(claudeConfigDirOf(lookUpUser('agent', passwd)!)).toBe('/home/agent/.claude');
  });

  it('needs a daemon running as root, an existing user, and not root itself', () => {
    expect(resolveSessionUser(undefined, 0)).toBeNull();
    expect(() => resolveSessionUser('no-such-user-here', 0)).toThrow(/not a user of this system/);
    expect(() => resolveSessionUser('root', 0)).toThrow(/is root/);
    expect(() => resolveSessionUser('nobody', 1000)).toThrow(/needs a daemon running as root/);
    expect(resolveSessionUser('nobody', 0)).toMatchObject({ name: 'nobody', uid: 65534 });
  });
});
