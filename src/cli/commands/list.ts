/** `aegis list`: the sessions the daemon knows, as a table or as the API's JSON; ids in full, as the API takes them. */
import { Option, type Command } from 'commander';
import { SESSION_STATUSES, type SessionStatus } from '../../client/types.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { formatAge, formatTable, printJson, printLines, printNote } from '../output.js';

interface ListFlags extends ClientFlags {
  status?: SessionStatus;
}

export function registerList(program: Command): void {
  const command = program
    .command('list')
    .alias('ls')
    .description('list sessions')
    .addOption(new Option('--status <status>', 'only sessions in this status').choices(SESSION_STATUSES));
  addClientOptions(command).action(list);
}

async function list(flags: ListFlags): Promise<void> {
  const sessions = await clientFrom(flags).listSessions(flags.status);
  if (flags.json) return printJson({ sessions });
  if (sessions.length === 0) return printNote(flags.status ? `no ${flags.status} sessions` : 'no sessions');
  const now = Date.now();
  const rows = sessions.map((s) => [s.id, s.name, s.status, s.workDir, formatAge(s.createdAt, now)]);
  printLines(formatTable(['ID', 'NAME', 'STATUS', 'WORKDIR', 'AGE'], rows));
}
