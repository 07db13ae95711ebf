/**
 * `aegis permissions [id]`: the permissions and questions waiting for a decision, one session's or
 * every session's. Each shows the full request id, which `aegis approve|reject|answer` take. The
 * permissions route lists permission requests; a session's question is its `pendingQuestion`.
 */
import type { Command } from 'commander';
import type { AegisClient } from '../../client/client.js';
import { ApiError } from '../../client/errors.js';
import type { Permission, Session } from '../../client/types.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { printJson, printLines, printNote } from '../output.js';
import { formatPermission } from '../permission-format.js';
import { resolveSessionId } from '../session-ref.js';

export function registerPermissions(program: Command): void {
  const command = program
    .command('permissions')
    .description('list pending permissions and questions: one session\'s, or every session\'s')
    .argument('[id]', 'session id, unique id prefix or name (default: all sessions)');
  addClientOptions(command).action(permissions);
}

async function permissions(ref: string | undefined, flags: ClientFlags): Promise<void> {
  const client = clientFrom(flags);
  const sessions = ref === undefined ? await client.listSessions() : [await client.getSession(await resolveSessionId(client, ref))];
  const pending = await pendingOf(client, sessions);
  if (flags.json) return printJson({ pending });
  if (pending.length === 0) return printNote('nothing pending');
  printLines(pending.flatMap(formatPermission));
}

/** There is no route for all sessions at once: ask each live session (one ended meanwhile has none). */
async function pendingOf(client: AegisClient, sessions: Session[]): Promise<Permission[]> {
  const live = sessions.filter((s) => s.status !== 'exited');
  const lists = await Promise.all(live.map(async (s) => {
    const permissions = await client.permissions(s.id).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return [];
      throw err;
    });
    return isRequest(s.pendingQuestion) ? [...permissions, s.pendingQuestion] : permissions;
  }));
  return lists.flat();
}

function isRequest(value: unknown): value is Permission {
  return typeof value === 'object' && value !== null && typeof (value as Permission).id === 'string';
}
