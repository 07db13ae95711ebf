/**
 * `aegis doctor`: checks that this machine can run the daemon, and Claude Code in it unattended, with
 * the configuration `aegis serve` would load (env, aegis.config.json, AEGIS_CONFIG), printing ok/FAIL
 * per check with a hint and, where one exists, the command that fixes it. Exits 1 when one fails.
 * It creates nothing: a missing state dir or Claude config is reported, not made.
 */
import type { Command } from 'commander';
import type { Config } from '../../config/schema.js';
import { lookUpUser } from '../../config/session-user.js';
import { checkLogin, checkOnboarding, checkStartDialogs, checkWorkdirs, claudeHomeOf } from '../claude-readiness.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { checkClaude, checkPort, checkSessionUser, checkSqlite, checkStateDir, checkTmux, type Check } from '../doctor-checks.js';
import { CliError, describeError } from '../exit-codes.js';
import { plural, printJson, printLines } from '../output.js';

export function registerDoctor(program: Command): void {
  const command = program
    .command('doctor')
    .description('check that tmux, Claude Code (key or login, onboarding, start-up questions), the work dirs, the state dir, the session user and the port are ready');
  addClientOptions(command).action(doctor);
}

async function doctor(flags: ClientFlags): Promise<void> {
  const client = clientFrom(flags);
  const { config, check: configCheck } = await configuration();
  const checks: Check[] = [configCheck];
  // A configuration the daemon would refuse is the answer: checks on defaults would describe another daemon.
  if (config) checks.push(...(await machineChecks(config, client)));
  const ok = checks.every((c) => c.ok);
  if (flags.json) printJson({ ok, checks });
  else printLines(checks.flatMap(formatCheck));
  const failed = checks.filter((c) => !c.ok).length;
  if (failed > 0) throw new CliError(`${plural(failed, 'check')} of ${checks.length} failed`);
}

async function machineChecks(config: Config, client: ReturnType<typeof clientFrom>): Promise<Check[]> {
  const user = config.sessionUser ? lookUpUser(config.sessionUser) : null;
  const claudeHome = claudeHomeOf(process.env, user);
  // A session user that does not exist has no Claude files to check (its own check says so).
  const claudeFiles = config.sessionUser && !user ? [] : [checkLogin(process.env, claudeHome), checkOnboarding(claudeHome), checkStartDialogs(process.env, claudeHome)];
  return [
    await checkTmux(config.tmuxBin, config.tmuxSocket),
    await checkClaude(config.claudeCommand),
    ...claudeFiles,
    checkWorkdirs(config.allowedWorkdirs, user),
    checkSqlite(),
    checkStateDir(config.stateDir),
    await checkSessionUser(config),
    await checkPort(config.host, config.port, client),
  ];
}

/** The configuration the daemon would run with, or a failed check saying why it would not start. */
async function configuration(): Promise<{ config: Config | null; check: Check }> {
  const { loadConfig } = await import('../../config/load.js');
  try {
    const { config, configFile } = loadConfig();
    return { config, check: { name: 'config', ok: true, detail: configFile ? `read ${configFile}` : 'defaults and environment (no aegis.config.json here)' } };
  } catch (err) {
    const hint = 'fix the values named above (AEGIS_* variables, aegis.config.json or the file AEGIS_CONFIG names): the daemon would not start; the other checks run once it loads';
    return { config: null, check: { name: 'config', ok: false, detail: describeError(err), hint } };
  }
}

const NAME_WIDTH = 12;

function formatCheck(check: Check): string[] {
  const line = `${check.ok ? (check.warn ? 'warn' : 'ok  ') : 'FAIL'}  ${check.name.padEnd(NAME_WIDTH)}  ${check.detail}`;
  const indent = ' '.repeat(NAME_WIDTH + 8);
  if (check.ok && !check.warn) return [line];
  return [line, ...(check.hint ? [`${indent}hint: ${check.hint}`] : []), ...(check.fix ? [`${indent}fix:  ${check.fix}`] : [])];
}
