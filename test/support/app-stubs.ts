/**
 * Stand-ins for the daemon's parts behind the HTTP app, for tests that exercise the app alone (no
 * tmux, no store): a supervisor whose sessions answer every command, owned by the keys a test says,
 * with the real ownership rule; an SSE hub that answers 200; a daemon status.
 */
import { AegisError } from '../../src/errors.js';
import type { Identity } from '../../src/auth/scopes.js';
import type { SseHub } from '../../src/http/sse.js';
import type { DaemonStatus } from '../../src/operations/daemon-status.js';
import { canSee } from '../../src/sessions/ownership.js';
import type { Supervisor } from '../../src/sessions/supervisor.js';

/** Sessions by id, with their owner key; a stand-in supervisor that applies the real ownership rule. */
export function stubSupervisor(owners: Map<string, string | null>): Supervisor {
  const find = (id: string, caller: Identity) => {
    if (!owners.has(id) || !canSee(caller, { ownerKeyId: owners.get(id)!, workDir: '/' })) throw new AegisError('SESSION_NOT_FOUND', `no session ${id}`);
    return { id, ownerKeyId: owners.get(id) };
  };
  const session = {
    send: async () => ({ delivered: true, attempts: 1 }),
    read: () => ({ messages: [], nextCursor: '0', status: 'idle' }),
    pane: async () => ({ text: '', cols: 80, rows: 24 }),
    interrupt: async () => ({ interrupted: true }),
    escape: async () => ({}),
    permissions: () => ({ pending: [] }),
    approve: () => ({ approved: true }),
    reject: () => ({ rejected: true }),
    answer: () => ({ answered: true }),
    typeKeys: async () => {},
    // A screen, then the end: the stream a session gives a viewer as it exits.
    watchTerminal: (sink: { push(update: unknown): boolean }) => {
      sink.push({ type: 'snapshot', data: '$ ', cols: 80, rows: 24, cursor: { x: 2, y: 0, visible: true } });
      sink.push({ type: 'closed', reason: 'session_exited' });
      return { drained: () => {}, close: () => {} };
    },
  };
  return {
    create: async () => ({ session: { id: 'new' }, reused: false }),
    list: () => [],
    health: () => ({ total: 0 }),
    get: find,
    sessionHealth: find,
    remove: async (id: string, caller: Identity) => find(id, caller),
    session: (id: string, caller: Identity) => (find(id, caller), session),
    eventFilter: () => () => true,
    activeCount: () => 0,
    totalCount: 0,
  } as unknown as Supervisor;
}

export const sse = {
  open: (_request: unknown, reply: { code(n: number): { send(b: string): void } }) => reply.code(200).send(''),
  openFeed: (reply: { code(n: number): { send(b: string): void } }, _caller: unknown, start: (stream: unknown) => () => void) => {
    const sent: string[] = [];
    const stop = start({ send: (type: string, data: unknown) => sent.push(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`) > 0, onDrain: () => {}, end: () => {} });
    stop();
    reply.code(200).send(sent.join(''));
  },
} as unknown as SseHub;

export const status = {
  version: '0.0.0',
  uptimeSeconds: () => 0,
  tmuxHealth: async () => ({ connected: true, version: '3.4' }),
  readiness: async () => ({ ready: true, reasons: [] }),
  diagnostics: async () => ({}),
} as unknown as DaemonStatus;

