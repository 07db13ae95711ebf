/**
 * `aegis list`: the sessions the daemon knows, as a table or as the API's JSON; ids in full, as the API
 * takes them. An ended session shows why in its status, and the daemon's hint follows the table.
 */
import { Option, type Command } from 'commander';
import { SESSION_STATUSES, type SessionStatus } from '../../client/types.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { formatAge, formatTable, printJson, printLines, printNote, shortId } from '../output.js';
import { endedNote } from '../session-ready.js';

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
  const rows = sessions.map((s) => [s.id, s.name, s.exit ? `${s.status} (${s.exit.reason})` : s.status, s.workDir, formatAge(s.createdAt, now)]);
  printLines(formatTable(['ID', 'NAME', 'STATUS', 'WORKDIR', 'AGE'], rows));
  for (const s of sessions) if (s.exit?.hint) printNote(`${shortId(s.id)} (${s.name}) ${endedNote(s)}`);
}
