/**
 * `aegis read <id>`: a session's transcript. Pages with --after <cursor>; the cursor for the next page
 * is printed to stderr (and is `nextCursor` in --json), so `aegis read id --after N` follows on.
 */
import type { Command } from 'commander';
import { integer } from '../arguments.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { formatMessage } from '../message-format.js';
import { printJson, printLines, printNote } from '../output.js';
import { resolveSessionId } from '../session-ref.js';

interface ReadFlags extends ClientFlags {
  after?: string;
  limit?: number;
}

export function registerRead(program: Command): void {
  const command = program
    .command('read')
    .description("print a session's transcript")
    .argument('<id>', 'session id, unique id prefix or name')
    .option('--after <cursor>', 'only messages after this cursor (the nextCursor of an earlier read)', cursor)
    .option('--limit <n>', 'at most this many messages (1-1000, default 200)', integer(1, 1000));
  addClientOptions(command).action(read);
}

async function read(ref: string, flags: ReadFlags): Promise<void> {
  const client = clientFrom(flags);
  const id = await resolveSessionId(client, ref);
  const page = await client.read(id, { after: flags.after, limit: flags.limit });
  if (flags.json) return printJson(page);
  if (page.messages.length > 0) printLines(page.messages.flatMap((message, i) => [...(i > 0 ? [''] : []), ...formatMessage(message)]));
  else printNote('no messages');
  printNote(`-- status ${page.status}; next cursor ${page.nextCursor} (aegis read ${ref} --after ${page.nextCursor})`);
}

function cursor(value: string): string {
  return String(integer(0)(value));
}
