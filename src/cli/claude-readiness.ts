/**
 * The doctor's checks that Claude Code can run unattended for the daemon: a key or a login, first-run
 * onboarding done, the start-up questions Aegis answers and those it cannot, and the allowed work
 * dirs in place. They read Claude's files where the sessions' Claude will read them (the daemon's
 * user, or the session user) and write nothing; a failure carries the command that fixes it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { claudeConfigDirOf, type UnixUser } from '../config/session-user.js';
import type { Check } from './check.js';
import { shellQuote } from './shell-quote.js';

/** Where the sessions' Claude keeps its configuration and login, and whose they are. */
export interface ClaudeHome {
  /** The session user, or null for the daemon's own user. */
  user: UnixUser | null;
  /** `.claude.json`: onboarding, API-key answers, trusted folders. */
  configFile: string;
  /** `.credentials.json`: what `/login` stores. */
  credentialsFile: string;
}

/** As Claude resolves them: CLAUDE_CONFIG_DIR holds both files; without it the config sits in the home. */
export function claudeHomeOf(env: NodeJS.ProcessEnv, user: UnixUser | null): ClaudeHome {
  if (user) {
    const dir = claudeConfigDirOf(user);
    return { user, configFile: join(dir, '.claude.json'), credentialsFile: join(dir, '.credentials.json') };
  }
  const home = env.HOME || homedir();
  const dir = env.CLAUDE_CONFIG_DIR || join(home, '.claude');
  return { user: null, configFile: join(env.CLAUDE_CONFIG_DIR ? dir : home, '.claude.json'), credentialsFile: join(dir, '.credentials.json') };
}

/** Claude's config as found: its keys, or why it cannot be used. */
type ClaudeConfig = { found: 'none' } | { found: 'unusable'; problem: string } | { found: 'yes'; data: Record<string, unknown> };

/** Larger than any config Claude writes; a file this big is not read. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export function readClaudeConfig(file: string): ClaudeConfig {
  let size: number;
  try {
    const stat = statSync(file);
    // Never open what is not a regular file: a FIFO would block the doctor.
    if (!stat.isFile()) return { found: 'unusable', problem: `${file} is not a regular file` };
    size = stat.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: 'none' };
    return { found: 'unusable', problem: `cannot read ${file}: ${(err as Error).message}` };
  }
  if (size > MAX_CONFIG_BYTES) return { found: 'unusable', problem: `${file} is larger than ${MAX_CONFIG_BYTES} bytes` };
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return { found: 'unusable', problem: `${file} does not hold a JSON object` };
    return { found: 'yes', data: data as Record<string, unknown> };
  } catch (err) {
    return { found: 'unusable', problem: `cannot read ${file}: ${(err as Error).message}` };
  }
}

/** Variables with which Claude needs no login of its own. */
const CREDENTIAL_VARIABLES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'];

/** An API key in the daemon's environment (sessions inherit it), or a login stored in Claude's config dir. */
export function checkLogin(env: NodeJS.ProcessEnv, home: ClaudeHome): Check {
  const name = 'login';
  const variable = CREDENTIAL_VARIABLES.find((v) => env[v]);
  if (variable) return { name, ok: true, detail: `${variable} is set in this environment; the sessions inherit it` };
  if (existsSync(home.credentialsFile)) return { name, ok: true, detail: `logged in: ${home.credentialsFile}` };
  const config = readClaudeConfig(home.configFile);
  if (config.found === 'yes' && typeof config.data.primaryApiKey === 'string') return { name, ok: true, detail: `an API key is stored in ${home.configFile}` };
  return {
    name,
    ok: false,
    detail: `no API key or login for Claude Code: ANTHROPIC_API_KEY is not set and ${home.credentialsFile} does not exist (Claude would answer every prompt "Not logged in")`,
    hint: `set ANTHROPIC_API_KEY in the daemon's environment (export it before aegis serve, or in the service's environment file), or log in once by hand: ${asUser(home, `${claudeLaunch(env, home)}`)}, then /login`,
  };
}

/** First-run onboarding (theme, login, connectivity check) is a person's job: Aegis never answers it. */
export function checkOnboarding(home: ClaudeHome): Check {
  const name = 'onboarding';
  const config = readClaudeConfig(home.configFile);
  if (config.found === 'yes' && config.data.hasCompletedOnboarding === true) return { name, ok: true, detail: `done (${home.configFile})` };
  const why =
    config.found === 'none' ? `${home.configFile} does not exist` : config.found === 'unusable' ? config.problem : `${home.configFile} lacks "hasCompletedOnboarding": true`;
  return {
    name,
    ok: false,
    detail: `Claude Code's first-run onboarding is not done: ${why}; every session would stop at its first-run screens (offline: "Unable to connect to Anthropic services") and end as start_failed`,
    hint: 'mark it done (this keeps everything else in the file)',
    fix: editConfigCommand(home, 'c.hasCompletedOnboarding=true'),
  };
}

/**
 * The questions Claude asks when a session starts: Aegis trusts each work dir it accepted and approves
 * the daemon's API key; an API key the config records as refused it cannot get past (Claude then says
 * "Not logged in" to every prompt without asking).
 */
export function checkStartDialogs(env: NodeJS.ProcessEnv, home: ClaudeHome): Check {
  const name = 'dialogs';
  const answered = 'Aegis answers the workspace-trust question for every work dir it accepts';
  const key = env.ANTHROPIC_API_KEY;
  if (!key) return { name, ok: true, detail: `${answered}; no ANTHROPIC_API_KEY, so no API-key question` };
  const config = readClaudeConfig(home.configFile);
  const responses = config.found === 'yes' ? record(config.data.customApiKeyResponses) : {};
  // Claude records a key by its last 20 characters.
  const tail = key.slice(-20);
  if (Array.isArray(responses.rejected) && responses.rejected.includes(tail)) {
    return {
      name,
      ok: false,
      detail: `${home.configFile} records ANTHROPIC_API_KEY as refused: Claude will not use it and answers every prompt "Not logged in"`,
      hint: 'approve the key (run this where ANTHROPIC_API_KEY is the daemon\'s key)',
      fix: editConfigCommand(
        home,
        'const k=process.env.ANTHROPIC_API_KEY.slice(-20),r=c.customApiKeyResponses||={};r.rejected=(r.rejected||[]).filter(x=>x!==k);r.approved=[...new Set([...(r.approved||[]),k])]',
      ),
    };
  }
  const approved = Array.isArray(responses.approved) && responses.approved.includes(tail);
  return { name, ok: true, detail: `${answered}; ANTHROPIC_API_KEY ${approved ? 'is approved in Claude\'s config' : 'is approved by Aegis when Claude asks about it'}` };
}

/** Every allowed work dir root exists: a session under a missing one cannot start. */
export function checkWorkdirs(allowedWorkdirs: readonly string[], user: UnixUser | null): Check {
  const name = 'workdirs';
  if (allowedWorkdirs.length === 0) return { name, ok: true, detail: 'no allowedWorkdirs: a session may start in any existing directory' };
  const missing = allowedWorkdirs.filter((dir) => !statOf(dir)?.isDirectory());
  if (missing.length === 0) return { name, ok: true, detail: `allowedWorkdirs exist: ${allowedWorkdirs.join(', ')}` };
  const dirs = missing.map(shellQuote).join(' ');
  return {
    name,
    ok: false,
    detail: `allowedWorkdirs not found as directories: ${missing.join(', ')}`,
    hint: user ? `create them, owned by ${user.name}` : 'create them (or remove them from allowedWorkdirs)',
    fix: `mkdir -p ${dirs}${user ? ` && chown ${shellQuote(`${user.name}:`)} ${dirs}` : ''}`,
  };
}

/** How a person starts Claude as the sessions do, to finish a login by hand. */
function claudeLaunch(env: NodeJS.ProcessEnv, home: ClaudeHome): string {
  if (home.user) return `env HOME=${shellQuote(home.user.home)} CLAUDE_CONFIG_DIR=${shellQuote(claudeConfigDirOf(home.user))} claude`;
  return env.CLAUDE_CONFIG_DIR ? `CLAUDE_CONFIG_DIR=${shellQuote(env.CLAUDE_CONFIG_DIR)} claude` : 'claude';
}

/** `command` run as the sessions' user. */
function asUser(home: ClaudeHome, command: string): string {
  return home.user ? `runuser -u ${shellQuote(home.user.name)} -- ${command}` : command;
}

/** A command that changes Claude's config file (`c`, created when missing) with `change`, keeping the rest. */
function editConfigCommand(home: ClaudeHome, change: string): string {
  const script =
    'const fs=require("fs"),path=require("path"),f=process.argv[1];let c={};' +
    'try{c=JSON.parse(fs.readFileSync(f,"utf8"))}catch(e){if(e.code!=="ENOENT")throw e}' +
    `${change};fs.mkdirSync(path.dirname(f),{recursive:true,mode:0o700});fs.writeFileSync(f,JSON.stringify(c,null,2),{mode:0o600})`;
  return asUser(home, `node -e ${shellQuote(script)} ${shellQuote(home.configFile)}`);
}

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
