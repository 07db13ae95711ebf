/**
 * systemd/aegis.service: `systemd-analyze verify` accepts it without a single warning (a misspelt key
 * is only a warning to systemd, and the setting would silently be missing), and it keeps the settings
 * that make re-adoption work and the secrets safe. Needs systemd's `systemd-analyze`; without it this
 * fails and says what to install, rather than passing unchecked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const UNIT_FILE = resolve(import.meta.dirname, '../../systemd/aegis.service');
const unitText = () => readFileSync(UNIT_FILE, 'utf8');

/** The unit's `Key=value` lines of one section, in order (a key may repeat). */
function section(text: string, name: string): [string, string][] {
  const body = text.split(/^\[/m).find((part) => part.startsWith(`${name}]`)) ?? '';
  return body
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]);
}

describe('systemd/aegis.service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-systemd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes systemd-analyze verify with no warning', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      throw new Error('systemd-analyze is not installed: install systemd (Debian/Ubuntu: apt-get install systemd) to check systemd/aegis.service');
    }
    // verify checks that ExecStart's program exists; the machine running the tests may keep node elsewhere.
    const text = existsSync('/usr/bin/node') ? unitText() : unitText().replace('/usr/bin/node', process.execPath);
    const copy = join(dir, 'aegis.service');
    writeFileSync(copy, text);
    const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });

  it('stops the daemon alone, as its own user, restarting it on failure, with the token as a credential and secrets from a root-only file', () => {
    const service = new Map(section(unitText(), 'Service'));
    expect(service.get('KillMode')).toBe('process');
    expect(service.get('Restart')).toBe('on-failure');
    expect(service.get('User')).toBe('aegis');
    expect(service.get('ExecStart')).toMatch(/\/bin\/aegis\.js serve$/);
    expect(service.get('LoadCredential')).toBe('aegis-auth-token:/etc/aegis/token');
    expect(service.get('EnvironmentFile')).toBe('/etc/aegis/aegis.env');
  });

  it('leaves out the hardening that breaks tmux, Node or sessions that outlive a restart', () => {
    const keys = new Set(section(unitText(), 'Service').map(([key]) => key));
    for (const breaking of ['PrivateTmp', 'MemoryDenyWriteExecute', 'RestrictNamespaces', 'RemoveIPC', 'PrivateUsers', 'ProcSubset']) {
      expect(keys, breaking).not.toContain(breaking);
    }
  });
});
