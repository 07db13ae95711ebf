import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, NUMBER_KEYS } from './load.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'aegis-config-'));

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const { config, configFile } = loadConfig({ env: {}, cwd: emptyDir() });
    expect(config).toMatchObject({
      port: 9100, host: '127.0.0.1', stateDir: join(homedir(), '.aegis'), tmuxSession: 'aegis', tmuxSocket: 'aegis',
      idleTimeoutMs: 600_000, stallThresholdMs: 120_000, claudeCommand: 'claude', allowedWorkdirs: [], defaultPermissionMode: 'default',
      allowedOrigins: [], allowedHosts: [], allowedRequestEnv: ['LANG', 'LC_*', 'TZ', 'CI', 'NO_COLOR'],
      memoryBridge: { enabled: true, reaperIntervalMs: 3_600_000, maxValueBytes: 65_536, maxTotalBytes: 67_108_864, maxNamespaceBytes: 16_777_216 },
      nodeLabels: {},
    });
    expect(config.authToken).toBeUndefined();
    expect(configFile).toBeNull();
  });

  it('names the tmux socket after the state dir: aegis for ~/.aegis, aegis-<hash> for any other, unless one is set', () => {
    const cwd = emptyDir();
    expect(loadConfig({ env: { AEGIS_STATE_DIR: '~/.aegis' }, cwd }).config.tmuxSocket).toBe('aegis');
    const other = loadConfig({ env: { AEGIS_STATE_DIR: '/srv/aegis-b' }, cwd }).config.tmuxSocket;
    expect(other).toMatch(/^aegis-[0-9a-f]{8}$/);
    expect(loadConfig({ env: { AEGIS_STATE_DIR: '/srv/aegis-b/' }, cwd }).config.tmuxSocket).toBe(other);
    expect(loadConfig({ env: { AEGIS_STATE_DIR: '/srv/aegis-c' }, cwd }).config.tmuxSocket).not.toBe(other);
    expect(loadConfig({ env: { AEGIS_STATE_DIR: '/srv/aegis-b', AEGIS_TMUX_SOCKET: 'shared' }, cwd }).config.tmuxSocket).toBe('shared');
    // A state dir given on the command line names the socket too.
    expect(loadConfig({ env: {}, cwd, overrides: { stateDir: '/srv/aegis-b' } }).config.tmuxSocket).toBe(other);
  });

  it('lets AEGIS_* win over legacy MANUS_* and both win over the config file', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify({ port: 9300, maxSessions: 3, logLevel: 'debug' }));
    const { config, sources } = loadConfig({ env: { MANUS_PORT: '9200', AEGIS_MAX_SESSIONS: '7', MANUS_MAX_SESSIONS: '5' }, cwd });
    expect(config.port).toBe(9200);
    expect(config.maxSessions).toBe(7);
    expect(config.logLevel).toBe('debug');
    expect(sources.port).toBe('MANUS_PORT');
  });

  it('reads the file named by AEGIS_CONFIG and splits AEGIS_ALLOWED_WORKDIRS on commas', () => {
    const dir = emptyDir();
    const file = join(dir, 'custom.json');
    writeFileSync(file, JSON.stringify({ tmuxSocket: 'mine' }));
    const { config } = loadConfig({ env: { AEGIS_CONFIG: file, AEGIS_ALLOWED_WORKDIRS: '/srv/a, /srv/b' }, cwd: emptyDir() });
    expect(config.tmuxSocket).toBe('mine');
    expect(config.allowedWorkdirs).toEqual(['/srv/a', '/srv/b']);
  });

  it('splits AEGIS_ALLOWED_ORIGINS, AEGIS_ALLOWED_HOSTS and AEGIS_ALLOWED_REQUEST_ENV on commas', () => {
    const { config } = loadConfig({
      env: { AEGIS_ALLOWED_ORIGINS: 'http://localhost:3000, https://dash.example', AEGIS_ALLOWED_HOSTS: 'aegis.internal,[fd00::1]:9100', AEGIS_ALLOWED_REQUEST_ENV: 'FEATURE_*, BUILD_ID' },
      cwd: emptyDir(),
    });
    expect(config.allowedOrigins).toEqual(['http://localhost:3000', 'https://dash.example']);
    expect(config.allowedHosts).toEqual(['aegis.internal', '[fd00::1]:9100']);
    expect(config.allowedRequestEnv).toEqual(['FEATURE_*', 'BUILD_ID']);
  });

  it.each([
    [{ AEGIS_ALLOWED_ORIGINS: 'dash.example' }, /AEGIS_ALLOWED_ORIGINS: must be an origin/],
    [{ AEGIS_ALLOWED_ORIGINS: 'http://dash.example/app' }, /AEGIS_ALLOWED_ORIGINS: must be an origin/],
    [{ AEGIS_ALLOWED_ORIGINS: 'file://x' }, /AEGIS_ALLOWED_ORIGINS: must be an origin/],
    [{ AEGIS_ALLOWED_HOSTS: 'http://aegis.internal' }, /AEGIS_ALLOWED_HOSTS: must be a host name/],
    [{ AEGIS_ALLOWED_REQUEST_ENV: 'A-B' }, /AEGIS_ALLOWED_REQUEST_ENV: must be a variable name/],
  ])('refuses an allowed origin, host or env pattern that is not one: %j', (env, message) => {
    expect(() => loadConfig({ env, cwd: emptyDir() })).toThrow(message);
  });

  it.each([
    [{ AEGIS_PORT: 'abc' }, /AEGIS_PORT: must be a whole number in decimal digits \(got "abc"\)/],
    [{ AEGIS_PORT: '0x47F0' }, /AEGIS_PORT: must be a whole number in decimal digits \(got "0x47F0"\)/],
    [{ AEGIS_PORT: '1e4' }, /AEGIS_PORT: must be a whole number in decimal digits \(got "1e4"\)/],
    [{ AEGIS_MAX_SESSIONS: ' 5' }, /AEGIS_MAX_SESSIONS: must be a whole number/],
    [{ AEGIS_IDLE_TIMEOUT_MS: '-1' }, /AEGIS_IDLE_TIMEOUT_MS: must be a whole number/],
    [{ AEGIS_PERMISSION_TIMEOUT_MS: '1000.5' }, /AEGIS_PERMISSION_TIMEOUT_MS: must be a whole number/],
    [{ AEGIS_PORT: '70000' }, /AEGIS_PORT: .*65535/],
    [{ AEGIS_LOG_LEVEL: 'loud' }, /AEGIS_LOG_LEVEL: /],
    [{ AEGIS_ALLOWED_WORKDIRS: 'relative/dir' }, /AEGIS_ALLOWED_WORKDIRS: must be an absolute path/],
    [{ AEGIS_TMUX_SOCKET: 'bad name;rm' }, /AEGIS_TMUX_SOCKET: /],
    [{ AEGIS_AUTH_TOKEN: 'short' }, /AEGIS_AUTH_TOKEN: must be at least 16/],
    [{ AEGIS_CONFIG: '/nonexistent/aegis.json' }, /does not exist/],
  ])('stops with a message naming the key for %j', (env, message) => {
    expect(() => loadConfig({ env, cwd: emptyDir() })).toThrow(message);
  });

  it.each([
    [{ port: '18610' }, /aegis\.config\.json \(port\): must be a whole number in decimal digits \(got "18610"\)/],
    [{ maxSessions: 2.5 }, /aegis\.config\.json \(maxSessions\): must be a whole number/],
    [{ idleTimeoutMs: true }, /aegis\.config\.json \(idleTimeoutMs\): must be a whole number/],
    [{ paneCols: null }, /aegis\.config\.json \(paneCols\): must be a whole number/],
  ])('refuses a number in the config file that is not a JSON whole number: %j', (file, message) => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify(file));
    expect(() => loadConfig({ env: {}, cwd })).toThrow(message);
  });

  it('takes decimal digits from the environment and whole JSON numbers from the file', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify({ maxSessions: 1e1, paneCols: 200 }));
    const { config } = loadConfig({ env: { AEGIS_PORT: '018610', AEGIS_IDLE_TIMEOUT_MS: '0' }, cwd });
    expect(config).toMatchObject({ port: 18610, idleTimeoutMs: 0, maxSessions: 10, paneCols: 200 });
  });

  it('knows every key whose value is a number', () => {
    const defaults = loadConfig({ env: {}, cwd: emptyDir() }).config as Record<string, unknown>;
    const numeric = Object.keys(defaults).filter((key) => typeof defaults[key] === 'number');
    expect([...NUMBER_KEYS].sort()).toEqual([...numeric, 'hookPort'].sort());
  });

  it("takes a node's URL from AEGIS_NODE_URL and its labels from the file, and refuses what is not one", () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify({ nodeLabels: { zone: 'eu-1', 'aegis.dev/class': 'large' } }));
    const { config } = loadConfig({ env: { AEGIS_NODE_URL: 'https://aegis-1.internal:8443/aegis' }, cwd });
    expect(config).toMatchObject({ nodeUrl: 'https://aegis-1.internal:8443/aegis', nodeLabels: { zone: 'eu-1', 'aegis.dev/class': 'large' } });
    for (const url of ['aegis-1.internal:9100', 'javascript:alert(1)', 'https://user:pw@aegis-1.internal', 'http://aegis-1.internal/?a=b']) {
      expect(() => loadConfig({ env: { AEGIS_NODE_URL: url }, cwd: emptyDir() })).toThrow(/AEGIS_NODE_URL: must be an http or https URL/);
    }
    for (const labels of [{ 'a b': 'x' }, { '': 'x' }, { zone: 'x'.repeat(201) }, Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'x']))]) {
      const dir = emptyDir();
      writeFileSync(join(dir, 'aegis.config.json'), JSON.stringify({ nodeLabels: labels }));
      expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/nodeLabels/);
    }
  });

  it('names an unknown key in the config file', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: {}, cwd })).toThrow(/aegis\.config\.json: .*prot/);
  });

  it('names a config file that is not JSON', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), '{ nope');
    expect(() => loadConfig({ env: {}, cwd })).toThrow(/cannot read .*aegis\.config\.json/);
  });

  it('loads the shipped aegis.config.json.example', () => {
    const example = join(import.meta.dirname, '../../aegis.config.json.example');
    const { config } = loadConfig({ env: { AEGIS_CONFIG: example }, cwd: emptyDir() });
    // The README's walkthrough works with it as shipped: any work dir, no profile imposed.
    expect(config.allowedWorkdirs).toEqual([]);
    expect(config.defaultPermissionProfile).toBeUndefined();
    expect(config.permissionProfiles.ci?.rules.length).toBeGreaterThan(0);
  });

  it('loads the strict configuration docs/deployment.md gives', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/deployment.md'), 'utf8');
    const block = /## A strict configuration[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), block!);
    const { config } = loadConfig({ env: {}, cwd });
    expect(config.allowedWorkdirs).toEqual(['/srv/repos']);
    expect(config.defaultPermissionProfile).toBe('ci');
  });

  it('names a default permission profile that does not exist', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify({ defaultPermissionProfile: 'nope' }));
    expect(() => loadConfig({ env: {}, cwd })).toThrow(/defaultPermissionProfile.*names no profile/);
  });

  it('takes trustProxy as true, false or a list of proxy addresses, from the file or AEGIS_TRUST_PROXY', () => {
    const cwd = emptyDir();
    expect(loadConfig({ env: {}, cwd }).config.trustProxy).toBe(false);
    expect(loadConfig({ env: { AEGIS_TRUST_PROXY: 'true' }, cwd }).config.trustProxy).toBe(true);
    expect(loadConfig({ env: { AEGIS_TRUST_PROXY: 'false' }, cwd }).config.trustProxy).toBe(false);
    expect(loadConfig({ env: { AEGIS_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,loopback,::1' }, cwd }).config.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', 'loopback', '::1']);
    writeFileSync(join(cwd, 'aegis.config.json'), JSON.stringify({ trustProxy: ['fd00::/8'] }));
    expect(loadConfig({ env: {}, cwd }).config.trustProxy).toEqual(['fd00::/8']);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.internal', '127.0.0.1/8/8']) {
      expect(() => loadConfig({ env: { AEGIS_TRUST_PROXY: bad }, cwd }), bad).toThrow(/AEGIS_TRUST_PROXY: must be an IP address/);
    }
  });
});

describe('the auth token kept out of the environment', () => {
  const tokenDir = () => mkdtempSync(join(tmpdir(), 'aegis-token-'));

  it('reads AEGIS_AUTH_TOKEN_FILE, without its final line break', () => {
    const file = join(tokenDir(), 'token');
    writeFileSync(file, 'a-token-of-32-characters-or-so-x\n', { mode: 0o600 });
    const { config, sources } = loadConfig({ env: { AEGIS_AUTH_TOKEN_FILE: file }, cwd: emptyDir() });
    expect(config.authToken).toBe('a-token-of-32-characters-or-so-x');
    expect(sources.authToken).toBe('AEGIS_AUTH_TOKEN_FILE');
  });

  it("reads systemd's credential aegis-auth-token from $CREDENTIALS_DIRECTORY", () => {
    const dir = tokenDir();
    writeFileSync(join(dir, 'aegis-auth-token'), 'credential-token-0123456789');
    expect(loadConfig({ env: { CREDENTIALS_DIRECTORY: dir }, cwd: emptyDir() }).config.authToken).toBe('credential-token-0123456789');
    expect(loadConfig({ env: { CREDENTIALS_DIRECTORY: tokenDir() }, cwd: emptyDir() }).config.authToken).toBeUndefined();
  });

  it('refuses a token set twice, a file that cannot be read, and one that is not a regular file', () => {
    const dir = tokenDir();
    writeFileSync(join(dir, 'token'), 'x'.repeat(20));
    expect(() => loadConfig({ env: { AEGIS_AUTH_TOKEN_FILE: join(dir, 'token'), AEGIS_AUTH_TOKEN: 'y'.repeat(20) }, cwd: emptyDir() })).toThrow(/both set the auth token/);
    expect(() => loadConfig({ env: { AEGIS_AUTH_TOKEN_FILE: join(dir, 'missing') }, cwd: emptyDir() })).toThrow(/AEGIS_AUTH_TOKEN_FILE: cannot read the auth token/);
    expect(() => loadConfig({ env: { AEGIS_AUTH_TOKEN_FILE: dir }, cwd: emptyDir() })).toThrow(/not a regular file/);
  });

  it('refuses a too-short token without repeating it', () => {
    let message = '';
    try {
      loadConfig({ env: { AEGIS_AUTH_TOKEN: 'short-Secret1' }, cwd: emptyDir() });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/AEGIS_AUTH_TOKEN: .*16 characters \(got 13 characters\)/);
    expect(message).not.toContain('short-Secret1');
  });
});
