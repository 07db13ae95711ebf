/** `aegis health`: the daemon's health (GET /v1/health); exits 1 when it reports itself degraded. */
import type { Command } from 'commander';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { CliError } from '../exit-codes.js';
import { printJson, printLine } from '../output.js';

export function registerHealth(program: Command): void {
  const command = program.command('health').description("print the daemon's health; exit 1 when it is degraded");
  addClientOptions(command).action(async (flags: ClientFlags) => {
    const health = await clientFrom(flags).health();
    if (flags.json) printJson(health);
    else {
      printLine(`${health.status}: aegis ${health.version}, up ${health.uptimeSeconds}s, ${health.sessions.active} active of ${health.sessions.total} sessions`);
      printLine(`tmux ${health.tmux.healthy ? 'healthy' : 'NOT healthy'}${health.tmux.version ? ` (${health.tmux.version})` : ''}`);
    }
    if (health.status !== 'ok') throw new CliError(`the daemon reports itself ${health.status}`);
  });
}
