/** `aegis kill <id>`: ends Claude and its window, and the daemon forgets the session. */
import type { Command } from 'commander';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { printJson, printLine, shortId } from '../output.js';
import { resolveSessionId } from '../session-ref.js';

export function registerKill(program: Command): void {
  const command = program
    .command('kill')
    .alias('rm')
    .description('end a session (DELETE /v1/sessions/:id)')
    .argument('<id>', 'session id, unique id prefix or name');
  addClientOptions(command).action(kill);
}

async function kill(ref: string, flags: ClientFlags): Promise<void> {
  const client = clientFrom(flags);
  const session = await client.deleteSession(await resolveSessionId(client, ref));
  if (flags.json) printJson(session);
  else printLine(`killed ${shortId(session.id)} (${session.name})`);
}
