/**
 * The tracker answers Claude's start-up dialogs (workspace trust, API key, bypass warning) only while
 * a session starts. Later their words can be anyone's (a reply, a file, a prompt), and keys pressed
 * because of them would re-submit old prompts or answer what nobody asked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/event-bus.js';
import { silentLogger } from '../log.js';
import type { SessionStore } from '../store/session-store.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { LiveSession } from './live-session.js';
import type { PermissionDesk } from './permission-desk.js';
import type { SessionRecord, SessionStatus } from './session.js';
import { SessionTracker } from './session-tracker.js';
import { DEFAULT_TIMING } from './timing.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../test/fixtures/screens', `${name}.txt`), 'utf8');

const sessions: LiveSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

/** A tracker over one session whose pane shows `screen`; `pressed` records every key sent to it. */
function track(status: SessionStatus, screen: string, permissionMode: SessionRecord['permissionMode'] = 'default') {
  const pressed: string[][] = [];
  const tmux = {
    capture: async () => screen,
    pressKeys: async (_pane: string, ...keys: string[]) => void pressed.push(keys),
  } as unknown as TmuxServer;
  const desk = { onScreen() {}, hasPending: () => false } as unknown as PermissionDesk;
  const tracker = new SessionTracker({
    tmux,
    bus: new EventBus(100),
    store: { save() {} } as unknown as SessionStore,
    logger: silentLogger,
    // Answer at first sight, so a wrong answer shows at once.
    timing: { ...DEFAULT_TIMING, dialogSettleMs: 0, dialogRetryMs: 0 },
    desk: () => desk,
    isClosed: () => false,
    onExited() {},
  });
  const now = new Date().toISOString();
  const session = new LiveSession({
    id: '00000000-0000-4000-8000-000000000001', name: 't', workDir: '/nonexistent', status, model: null, permissionMode,
    permissionProfile: null, createdAt: now, lastActivityAt: now, statusChangedAt: now, ownerKeyId: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 }, exit: null,
    idleTimeoutMs: null, stallThresholdMs: null, windowId: '@1', paneId: '%1', panePid: 1, hookSecretHash: '',
    transcriptPath: '/nonexistent/transcript.jsonl',
  });
  sessions.push(session);
  return { tracker, session, pressed };
}

describe('start-up dialogs', () => {
  it.each([
    ['trust-dialog', 'default', ['Down', 'Enter']],
    ['api-key-dialog', 'default', ['Up', 'Enter']],
    ['bypass-dialog', 'bypassPermissions', ['Down', 'Enter']],
  ] as const)('answers %s while the session starts', async (name, mode, keys) => {
    const { tracker, session, pressed } = track('starting', fixture(name), mode);
    await tracker.capture(session);
    expect(pressed).toEqual([keys]);
  });

  it('leaves the bypass warning alone for a session that did not ask for bypassPermissions', async () => {
    const { tracker, session, pressed } = track('starting', fixture('bypass-dialog'));
    await tracker.capture(session);
    expect(pressed).toEqual([]);
  });

  const later: SessionStatus[] = ['idle', 'working', 'permission_prompt', 'asking', 'stalled'];
  const screens = ['trust-dialog', 'api-key-dialog', 'bypass-dialog', 'hostile-reply-startup', 'hostile-prompt-box', 'hostile-prompt-submitted', 'hostile-reply-working'];
  it.each(later.flatMap((status) => screens.map((name) => [status, name] as const)))(
    'never answers a start-up dialog once the session has left starting (%s, %s)',
    async (status, name) => {
      const { tracker, session, pressed } = track(status, fixture(name), 'bypassPermissions');
      await tracker.capture(session);
      expect(pressed).toEqual([]);
    },
  );
});
