/**
 * A session moves only along its transitions table. Each allowed transition is driven here by the
 * signal or request that causes it in life, and the change is published once, `from` → `to`; a
 * change the table does not allow is refused and logged, and an exited session takes no signal.
 */
import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionHarness, type Harness } from '../../test/support/session-harness.js';
import type { SessionStatus } from './session-record.js';
import { TRANSITIONS, isAllowedTransition } from './transitions.js';

const IDLE_SCREEN = readFileSync(join(import.meta.dirname, '../../test/fixtures/screens/startup-idle.txt'), 'utf8');

const harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
});

const permission = { tool_name: 'Bash', tool_input: { command: 'ls' }, permission_suggestions: [] };
const question = { tool_name: 'AskUserQuestion', tool_input: { questions: [{ question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] }] } };
const never = new AbortController().signal;
/** A held hook call, as Claude makes it (its answer comes when the request is decided, or the daemon stops). */
const ask = (h: Harness, body: typeof permission | typeof question) => void h.session.requestPermission(body, never).catch(() => {});

/** How each status is left for each other one, as it happens in life. */
const DRIVERS: Record<SessionStatus, (h: Harness) => Promise<unknown> | void> = {
  starting: () => {},
  idle: (h) => h.session.apply({ type: 'turn_ended', lastAssistantMessage: '' }),
  working: (h) => h.session.apply({ type: 'prompt_accepted', prompt: 'go' }),
  permission_prompt: (h) => ask(h, permission),
  asking: (h) => ask(h, question),
  stalled: (h) => h.session.apply({ type: 'no_progress', thresholdMs: 1000, action: 'notify' }),
  exited: (h) => h.session.end('window_closed'),
};

/** Some transitions have a cause of their own: a decision, a screen, the turn's end with a request still waiting. */
const SPECIAL: Partial<Record<`${SessionStatus}>${SessionStatus}`, (h: Harness) => Promise<unknown> | void>> = {
  'starting>idle': (h) => h.show(IDLE_SCREEN),
  'permission_prompt>working': (h) => h.session.approve({}, null),
  'asking>working': (h) => h.session.answer({ optionIndex: 0 }, null),
  'stalled>working': (h) => h.session.apply({ type: 'tool_starting' }),
};

const allowed = (Object.keys(TRANSITIONS) as SessionStatus[]).flatMap((from) => TRANSITIONS[from].map((to) => [from, to] as const));

/**
 * A session in `status`, got there as in life: one waiting on a permission or a question holds the
 * request that made it wait. The events of getting there are left out.
 */
async function sessionIn(status: SessionStatus): Promise<Harness> {
  const waits = status === 'permission_prompt' || status === 'asking';
  const h = sessionHarness(waits ? 'working' : status);
  harnesses.push(h);
  if (waits) await DRIVERS[status](h);
  await h.settle();
  h.events.length = 0;
  return h;
}

describe('the transitions table', () => {
  it.each(allowed)('moves a session from %s to %s', async (from, to) => {
    const h = await sessionIn(from);
    expect(h.session.status).toBe(from);
    await (SPECIAL[`${from}>${to}`] ?? DRIVERS[to])(h);
    await h.settle();
    expect(h.session.status).toBe(to);
    const changes = h.events.filter((e) => e.type === 'status_changed').map((e) => `${String(e.from)}>${String(e.to)}`);
    expect(changes).toEqual([`${from}>${to}`]);
  });

  it('refuses a change the table does not allow, says so in the log, and publishes nothing', async () => {
    expect(isAllowedTransition('idle', 'stalled')).toBe(false);
    const h = sessionHarness('idle');
    harnesses.push(h);
    h.session.apply({ type: 'no_progress', thresholdMs: 1000, action: 'kill' });
    await h.settle();
    expect(h.session.status).toBe('idle');
    expect(h.events).toEqual([]);
    expect(h.warnings).toContain('refused a status change the transitions table does not allow');
  });

  it('takes no signal once exited: nothing leads out of exited', async () => {
    const h = sessionHarness('working');
    harnesses.push(h);
    await h.session.end('window_closed');
    h.events.length = 0;
    h.session.apply({ type: 'prompt_accepted', prompt: 'again' });
    await h.show(IDLE_SCREEN);
    expect(h.session.status).toBe('exited');
    expect(h.events).toEqual([]);
    expect(TRANSITIONS.exited).toEqual([]);
  });

  it.each([
    ['prompt_accepted', { type: 'prompt_accepted', prompt: 'go' }],
    ['tool_starting', { type: 'tool_starting' }],
    ['tool_ran', { type: 'tool_ran', toolName: 'Bash' }],
  ] as const)('publishes the status a %s hook sets before it saves the record or reads the transcript', async (_name, signal) => {
    // What a client waits for is not held back by the store's write or a transcript read.
    const before: string[] = [];
    const h: Harness = sessionHarness('idle', {
      publish: (type, fields) => {
        if (type === 'status_changed' && fields.to === 'working') before.push(`saved working: ${h.saved.some((r) => r.status === 'working')}`, `transcript reads: ${reads}`);
      },
    });
    harnesses.push(h);
    let reads = 0;
    const conversation = (h.session as unknown as { conversation: { read(): void } }).conversation;
    const read = conversation.read.bind(conversation);
    conversation.read = () => {
      reads++;
      read();
    };
    h.session.apply(signal);
    await h.settle();
    expect(before).toEqual(['saved working: false', 'transcript reads: 0']);
    expect(h.saved.at(-1)?.status).toBe('working');
    expect(reads).toBeGreaterThan(0);
  });

  it('lets go of a held hook call once its request is decided (nothing stays listening to the call)', async () => {
    const h = await sessionIn('working');
    const call = new AbortController();
    const answered = h.session.requestPermission(permission, call.signal);
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(1);
    await h.session.approve({}, null);
    await answered;
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
  });
});
