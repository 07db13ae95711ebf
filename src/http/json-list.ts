/**
 * Answers that list many things (sessions, pending permissions) are serialised one item at a time, so
 * an item that cannot be serialised (a cycle, a value nested too deep) is replaced by a stand-in that
 * names it and says so, and the rest of the answer still reaches the caller. One session's data must
 * never turn everyone's listing into a 500.
 */
import type { FastifyReply } from 'fastify';

/** The fields of an item that are plain strings and so always serialisable, plus the error. */
function standIn(item: unknown, keep: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (typeof item === 'object' && item !== null) {
    for (const key of keep) {
      const value = (item as Record<string, unknown>)[key];
      if (typeof value === 'string') fields[key] = value;
    }
  }
  return { ...fields, error: { code: 'INTERNAL', message: 'this item cannot be shown; the daemon log has the details' } };
}

/** `{"<key>": [items…]}` as JSON text, each item serialised on its own. */
export function jsonList(key: string, items: readonly unknown[], keep: readonly string[], onError: (err: unknown, item: unknown) => void): string {
  const parts = items.map((item) => {
    try {
      return JSON.stringify(item) ?? 'null';
    } catch (err) {
      onError(err, item);
      return JSON.stringify(standIn(item, keep));
    }
  });
  return `{${JSON.stringify(key)}:[${parts.join(',')}]}`;
}

export function sendList(reply: FastifyReply, key: string, items: readonly unknown[], keep: readonly string[]): FastifyReply {
  const body = jsonList(key, items, keep, (err) => reply.log.error({ err }, `cannot serialise an item of ${key}`));
  return reply.type('application/json; charset=utf-8').send(body);
}
