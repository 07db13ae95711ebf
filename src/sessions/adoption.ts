/**
 * After a restart: the stored sessions, validated, each found again in tmux or ended. A session
 * whose window still runs Claude is observed again; one whose window is gone is `lost`; one whose
 * Claude ended while the daemon was away is `claude_exited`, its last screen kept and its window closed.
 */
import type { Logger } from '../log.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { Session, type SessionContext } from './session.js';
import { sessionRecordSchema, type SessionRecord } from './session-record.js';
import type { SessionRegistry } from './session-registry.js';
import type { SessionRepository } from './session-repository.js';

export interface AdoptionDeps {
  repository: Pick<SessionRepository, 'all'>;
  tmux: Pick<TmuxServer, 'sessionExists' | 'listWindows'>;
  registry: SessionRegistry;
  context: SessionContext;
  logger: Logger;
}

export async function adoptStoredSessions({ repository, tmux, registry, context, logger }: AdoptionDeps): Promise<void> {
  const records = repository.all().flatMap(({ id, document }): SessionRecord[] => {
    const parsed = sessionRecordSchema.safeParse(document);
    if (!parsed.success) logger.error({ sessionId: id, err: parsed.error.message }, 'a stored session record is not valid; it is left out');
    return parsed.success ? [parsed.data] : [];
  });
  // No tmux server means the windows are gone; a server that cannot be listed must not count as that.
  const windows = records.some((r) => r.status !== 'exited') && (await tmux.sessionExists()) ? await tmux.listWindows({ strict: true }) : [];
  for (const record of records) {
    const window = windows.find((w) => w.owner === record.id && w.paneId === record.paneId);
    const session = new Session(record, context);
    registry.add(session, { live: record.status !== 'exited' && !!window && !window.dead });
    if (record.status === 'exited') continue;
    if (!window) {
      await session.end('lost');
    } else if (window.dead) {
      await session.end('claude_exited', { paneDied: true, exitCode: window.exitStatus });
    } else {
      session.observe({ readTranscript: true });
      logger.info({ sessionId: record.id, status: record.status }, 'session re-adopted after restart');
    }
  }
}
