/**
 * A Session built with the real permission broker, event bus and policy, whose pane is a stand-in
 * that shows what the test says and records every key sent to it: for unit tests of what a session
 * does with what it is told and sees. Fake timers for Date only, so grace periods can be stepped over.
 */
import { vi } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { EventBus, type AegisEvent } from '../../src/events/event-bus.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { PermissionBroker } from '../../src/permissions/broker.js';
import { requestEvents } from '../../src/permissions/request-events.js';
import { Session, type SessionTmux } from '../../src/sessions/session.js';
import { NO_USAGE, type SessionRecord, type SessionStatus } from '../../src/sessions/session-record.js';
import { priceTable } from '../../src/claude/pricing.js';
import { UsageLedger } from '../../src/sessions/usage-ledger.js';
import { MemoryUsageRepository } from '../../src/sessions/usage-repository.js';
import type { UsageContext } from '../../src/sessions/session-usage.js';
import { DEFAULT_TIMING } from '../../src/sessions/timing.js';

export interface Harness {
  session: Session;
  events: AegisEvent[];
  keys: string[];
  warnings: string[];
  /** Messages logged as errors. */
  errors: string[];
  /** Every record the session saved, as saved. */
  saved: SessionRecord[];
  /** Shows `text` long enough for a dialog with no hook behind it to count, then lets keys land. */
  show(text: string): Promise<void>;
  /** Lets pending promise callbacks run. */
  settle(): Promise<void>;
  close(): void;
}

export function sessionHarness(
  status: SessionStatus,
  {
    record = {},
    config = {},
    tmux: tmuxOverrides = {},
    publish: publishOverride,
    usage: usageOverrides = {},
  }: {
    /** The usage ledger and budget policy, where a test needs its own. */
    usage?: Partial<UsageContext>;
    record?: Partial<SessionRecord>;
    config?: Partial<Config>;
    /** tmux calls that behave otherwise (fail) in this test. */
    tmux?: Partial<SessionTmux>;
    /** Runs before each publish; a throw fails the publish. */
    publish?: (type: AegisEvent['type'], fields: Record<string, unknown>) => void;
  } = {},
): Harness {
  vi.useFakeTimers({ toFake: ['Date'] });
  let screen = '';
  const keys: string[] = [];
  const events: AegisEvent[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const saved: SessionRecord[] = [];
  const bus = new EventBus(1000);
  bus.subscribe((event) => events.push(event));
  const publish = (type: Parameters<EventBus['publish']>[0], sessionId: string, fields: Record<string, unknown>) => {
    publishOverride?.(type, fields);
    bus.publish(type, sessionId, fields);
  };
  const logger: Logger = {
    ...silentLogger,
    warn: (_fields: unknown, message?: string) => void warnings.push(String(message)),
    error: (_fields: unknown, message?: string) => void errors.push(String(message)),
    child: () => logger,
  };
  const tmux = {
    capture: async () => screen,
    pressKeys: async (_pane: string, ...pressed: string[]) => void keys.push(...pressed),
    typeText: async (_pane: string, text: string) => void keys.push(`text:${text}`),
    killWindow: async () => {},
    paneDeath: async () => ({ status: null, signal: null }),
    wantOutput: () => () => {},
    ...tmuxOverrides,
  } as unknown as SessionTmux;
  const settings = configSchema.parse(config);
  const broker = new PermissionBroker(requestEvents(publish, silentLogger));
  const now = new Date().toISOString();
  const session = new Session(
    {
      id: '00000000-0000-4000-8000-000000000001', name: 't', workDir: '/nonexistent', status, model: null, permissionMode: 'default',
      permissionProfile: null, createdAt: now, lastActivityAt: now, statusChangedAt: now, ownerKeyId: null,
      usage: structuredClone(NO_USAGE), exit: null, maxCostUsd: null, maxTokens: null,
      idleTimeoutMs: null, stallThresholdMs: null, windowId: '@1', paneId: '%1', panePid: 0, panePidStartTime: null, hookSecretHash: '', deliveries: [], creates: [], openRequests: [],
      transcriptPath: '/nonexistent/transcript.jsonl', earlierTranscripts: [],
      ...record,
    },
    // Answer start-up dialogs at first sight, so a wrong answer shows at once.
    {
      tmux, repository: { save: (record: SessionRecord) => void saved.push(structuredClone(record)), remove: () => {} }, publish, broker, permissions: settings, paneSize: { cols: 160, rows: 50 },
      timing: { ...DEFAULT_TIMING, dialogSettleMs: 0, dialogRetryMs: 0 }, logger,
      usage: {
        ledger: new UsageLedger(new MemoryUsageRepository(), priceTable(settings.pricing), silentLogger), prices: priceTable(settings.pricing),
        action: settings.budgetAction, dailyBudgetOf: () => null, accountExceeded: () => {}, ...usageOverrides,
      },
    },
  );
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    session,
    events,
    keys,
    warnings,
    errors,
    saved,
    settle,
    async show(text) {
      screen = text;
      await session.readScreen();
      vi.setSystemTime(Date.now() + 1500);
      await session.readScreen();
      await settle();
    },
    close() {
      session.close();
      broker.close();
      vi.useRealTimers();
    },
  };
}
