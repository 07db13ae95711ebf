import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLogin, checkOnboarding, checkStartDialogs, checkWorkdirs, claudeHomeOf } from './claude-readiness.js';

const KEY = 'sk-ant-api03-doctor-test-key-0123456789abcdefghijKLMNOP';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aegis-doctor-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** Runs a printed fix as a person would, in a shell whose HOME is the temporary one. */
function runFix(fix: string | undefined, env: NodeJS.ProcessEnv = {}): void {
  expect(fix).toBeDefined();
  execFileSync('sh', ['-c', fix!], { env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: home, ...env }, stdio: 'pipe' });
}

const config = () => JSON.parse(readFileSync(join(home, '.claude.json'), 'utf8'));

describe('claudeHomeOf', () => {
  it("finds Claude's files in the home, in CLAUDE_CONFIG_DIR, or in the session user's config dir", () => {
    expect(claudeHomeOf({ HOME: '/h' }, null)).toEqual({ user: null, configFile: '/h/.claude.json', credentialsFile: '/h/.claude/.credentials.json' });
    expect(claudeHomeOf({ HOME: '/h', CLAUDE_CONFIG_DIR: '/c' }, null)).toMatchObject({ configFile: '/c/.claude.json', credentialsFile: '/c/.credentials.json' });
    const user = { name: 'claude', uid: 1001, gid: 1001, home: '/home/claude' };
    expect(claudeHomeOf({ HOME: '/root' }, user)).toEqual({ user, configFile: '/home/claude/.claude/.claude.json', credentialsFile: '/home/claude/.claude/.credentials.json' });
  });
});

describe('checkLogin', () => {
  it('passes with an API key in the environment or a stored login, and fails with neither, saying how to get one', () => {
    const claudeHome = claudeHomeOf({ HOME: home }, null);
    expect(checkLogin({ HOME: home, ANTHROPIC_API_KEY: KEY }, claudeHome)).toMatchObject({ ok: true, detail: expect.stringContaining('ANTHROPIC_API_KEY is set') });
    const missing = checkLogin({ HOME: home }, claudeHome);
    expect(missing).toMatchObject({ ok: false, detail: expect.stringContaining(`${home}/.claude/.credentials.json does not exist`) });
    expect(missing.hint).toMatch(/set ANTHROPIC_API_KEY in the daemon's environment .* log in once by hand: claude, then \/login/);
    mkdirSync(join(home, '.claude'));
    writeFileSync(join(home, '.claude', '.credentials.json'), '{}');
    expect(checkLogin({ HOME: home }, claudeHome)).toMatchObject({ ok: true, detail: `logged in: ${home}/.claude/.credentials.json` });
  });

  it('tells the session user how to log in as itself', () => {
    const user = { name: 'claude', uid: 1001, gid: 1001, home };
    expect(checkLogin({ HOME: '/root' }, claudeHomeOf({}, user)).hint).toContain(`runuser -u claude -- env HOME=${home} CLAUDE_CONFIG_DIR=${home}/.claude claude, then /login`);
  });
});

describe('checkOnboarding', () => {
  it('fails without a config, prints a fix that makes one, and passes after it', () => {
    const claudeHome = claudeHomeOf({ HOME: home }, null);
    const check = checkOnboarding(claudeHome);
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining(`${home}/.claude.json does not exist`) });
    runFix(check.fix);
    expect(config()).toEqual({ hasCompletedOnboarding: true });
    expect(checkOnboarding(claudeHome)).toMatchObject({ ok: true });
  });

  it("keeps the rest of an existing config when it marks onboarding done", () => {
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ theme: 'dark', projects: { '/w': { hasTrustDialogAccepted: true } } }));
    const check = checkOnboarding(claudeHomeOf({ HOME: home }, null));
    expect(check.detail).toContain('lacks "hasCompletedOnboarding": true');
    runFix(check.fix);
    expect(config()).toEqual({ theme: 'dark', projects: { '/w': { hasTrustDialogAccepted: true } }, hasCompletedOnboarding: true });
  });

  it('says what is wrong with a config it cannot read, and never opens what is not a file', () => {
    writeFileSync(join(home, '.claude.json'), '{not json');
    expect(checkOnboarding(claudeHomeOf({ HOME: home }, null)).detail).toMatch(/cannot read .*\.claude\.json/);
    rmSync(join(home, '.claude.json'));
    execFileSync('mkfifo', [join(home, '.claude.json')]);
    expect(checkOnboarding(claudeHomeOf({ HOME: home }, null)).detail).toContain('is not a regular file');
  });
});

describe('checkStartDialogs', () => {
  it('passes when Aegis can answer what Claude will ask: trust, and a key that is new or approved', () => {
    const claudeHome = claudeHomeOf({ HOME: home }, null);
    expect(checkStartDialogs({}, claudeHome)).toMatchObject({ ok: true, detail: expect.stringContaining('no API-key question') });
    expect(checkStartDialogs({ ANTHROPIC_API_KEY: KEY }, claudeHome)).toMatchObject({ ok: true, detail: expect.stringContaining('approved by Aegis when Claude asks') });
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ customApiKeyResponses: { approved: [KEY.slice(-20)], rejected: [] } }));
    expect(checkStartDialogs({ ANTHROPIC_API_KEY: KEY }, claudeHome)).toMatchObject({ ok: true, detail: expect.stringContaining("approved in Claude's config") });
  });

  it('fails for a key the config records as refused, with a fix that approves it and prints no part of it', () => {
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: ['other'], rejected: [KEY.slice(-20), 'another'] } }));
    const claudeHome = claudeHomeOf({ HOME: home }, null);
    const check = checkStartDialogs({ ANTHROPIC_API_KEY: KEY }, claudeHome);
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('records ANTHROPIC_API_KEY as refused') });
    expect(JSON.stringify(check)).not.toContain(KEY.slice(-8));
    runFix(check.fix, { ANTHROPIC_API_KEY: KEY });
    expect(config()).toEqual({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: ['other', KEY.slice(-20)], rejected: ['another'] } });
    expect(checkStartDialogs({ ANTHROPIC_API_KEY: KEY }, claudeHome)).toMatchObject({ ok: true });
  });
});

describe('checkWorkdirs', () => {
  it('fails for allowed roots that do not exist, with a fix that makes them', () => {
    const roots = [join(home, 'repos'), join(home, "it's here")];
    mkdirSync(roots[0]!);
    writeFileSync(join(home, 'not-a-dir'), '');
    expect(checkWorkdirs([], null)).toMatchObject({ ok: true });
    expect(checkWorkdirs([roots[0]!], null)).toMatchObject({ ok: true });
    const check = checkWorkdirs([...roots, join(home, 'not-a-dir')], null);
    expect(check).toMatchObject({ ok: false, detail: `allowedWorkdirs not found as directories: ${roots[1]}, ${join(home, 'not-a-dir')}` });
    rmSync(join(home, 'not-a-dir'));
    runFix(check.fix);
    expect(checkWorkdirs(roots, null)).toMatchObject({ ok: true });
  });

  it("makes them the session user's", () => {
    const check = checkWorkdirs(['/srv/missing-root'], { name: 'claude', uid: 1001, gid: 1001, home: '/home/claude' });
    expect(check.fix).toBe('mkdir -p /srv/missing-root && chown claude: /srv/missing-root');
  });
});
