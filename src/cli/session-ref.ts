/**
 * Session ids on the command line: a full id, a unique prefix of one (what `aegis list` shows), or a
 * session's exact name. Anything else is refused with a message that says what matched.
 */
import type { AegisClient } from '../client/client.js';
import type { Session } from '../client/types.js';
import { CliError, ExitCode, UsageError } from './exit-codes.js';
import { shortId } from './output.js';

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveSessionId(client: AegisClient, ref: string): Promise<string> {
  // A full id needs no listing: the daemon's own 404 is the answer when it is unknown.
  if (FULL_ID.test(ref)) return ref.toLowerCase();
  return matchSession(await client.listSessions(), ref).id;
}

export function matchSession(sessions: readonly Session[], ref: string): Session {
  const wanted = ref.trim().toLowerCase();
  if (!wanted) throw new UsageError('a session id must not be empty');
  const byPrefix = sessions.filter((s) => s.id.toLowerCase().startsWith(wanted));
  const matches = byPrefix.length > 0 ? byPrefix : sessions.filter((s) => s.name === ref);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new CliError(`no session matches "${ref}" (see aegis list)`, ExitCode.NOT_FOUND);
  const listed = matches.slice(0, 5).map((s) => `${shortId(s.id)} (${s.name})`).join(', ');
  throw new UsageError(`"${ref}" matches ${matches.length} sessions: ${listed}${matches.length > 5 ? ', …' : ''}; give more of the id`);
}
