/**
 * `aegis doctor`: checks that this machine can run the daemon with the configuration loadConfig
 * finds (env, aegis.config.json), printing ok/FAIL per check with a hint. Exits 1 when one fails.
 */
import type { Command } from 'commander';
import type { Config } from '../../config/schema.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { checkClaude, checkPort, checkSessionUser, checkStateDir, checkTmux, type Check } from '../doctor-checks.js';
import { CliError, describeError } from '../exit-codes.js';
import { plural, printJson, printLines } from '../output.js';

export function registerDoctor(program: Command): void {
  const command = program.command('doctor').description('check that tmux, Claude Code, the state dir, the session user and the port are ready');
  addClientOptions(command).action(doctor);
}

async function doctor(flags: ClientFlags): Promise<void> {
  const client = clientFrom(flags);
  const { config, check: configCheck } = await configuration();
  const checks: Check[] = [
    configCheck,
    await checkTmux(config.tmuxBin, config.tmuxSocket),
    await checkClaude(config.claudeCommand),
    checkStateDir(config.stateDir),
    await checkSessionUser(config),
    await checkPort(config.host, config.port, client),
  ];
  const ok = checks.every((c) => c.ok);
  if (flags.json) printJson({ ok, checks });
  else printLines(checks.flatMap(formatCheck));
  const failed = checks.filter((c) => !c.ok).length;
  if (failed > 0) throw new CliError(`${plural(failed, 'check')} of ${checks.length} failed`);
}

/** The effective configuration; when it is invalid that is a failed check, and the rest run on defaults. */
async function configuration(): Promise<{ config: Config; check: Check }> {
  const { loadConfig } = await import('../../config/load.js');
  const { configSchema } = await import('../../config/schema.js');
  try {
    const { config, configFile } = loadConfig();
    return { config, check: { name: 'config', ok: true, detail: configFile ? `read ${configFile}` : 'defaults and environment (no aegis.config.json here)' } };
  } catch (err) {
    const config = configSchema.parse({});
    const detail = describeError(err);
    return { config, check: { name: 'config', ok: false, detail, hint: 'fix the values named above (AEGIS_* variables or aegis.config.json); the other checks use defaults' } };
  }
}

function formatCheck(check: Check): string[] {
  const line = `${check.ok ? (check.warn ? 'warn' : 'ok  ') : 'FAIL'}  ${check.name.padEnd(9)}  ${check.detail}`;
  return check.hint && (!check.ok || check.warn) ? [line, `${' '.repeat(17)}hint: ${check.hint}`] : [line];
}
