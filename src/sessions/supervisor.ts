/**
 * The Supervisor is the registry of sessions and the commands callers give them: it starts Claude for
 * a new session (or hands back an idle one), re-adopts sessions after a restart, routes tmux's reports
 * and Claude's hook calls to the session they concern, and passes each request on. What a session is
 * and does is the Session's own business. It knows nothing of HTTP.
 */
import { createHash } from 'node:crypto';
import { MASTER_IDENTITY, seesAllSessions, type Identity } from '../auth/scopes.js';
import { canonicalJson } from '../canonical-json.js';
import type { HookEvent } from '../claude/launch.js';
import type { HookPayload } from '../claude/hook-payloads.js';
import type { Config } from '../config/schema.js';
import { AegisError, errorMessage, type ErrorCode } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { PermissionBroker } from '../permissions/broker.js';
import { requestEvents } from '../permissions/request-events.js';
import { ModelRouter } from '../router/model-router.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import { adoptStoredSessions } from './adoption.js';
import type { DeliveryResult } from './delivery.js';
import type { CreateSessionInput } from './inputs.js';
import { canSee, withKeyLimits } from './ownership.js';
import { isReusableFor } from './reuse.js';
import { Session, type SessionContext } from './session.js';
import { sessionHandle, type SessionHandle } from './session-handle.js';
import { sessionHealth, sessionsHealth, type SessionHealth, type SessionsHealth } from './session-health.js';
import { SessionLauncher, secretMatches, sessionOptions } from './session-launcher.js';
import { sessionRecordSchema, sessionView, type SessionRecord, type ListedStatus, type SessionView } from './session-record.js';
import { SessionRegistry } from './session-registry.js';
import type { SessionRepository } from './session-repository.js';
import { SessionRetention } from './session-retention.js';
import { SessionUpkeep, type OrphanReport } from './session-upkeep.js';
import { hookSignals } from './signals.js';
import type { UnixUser } from '../config/session-user.js';
import { DEFAULT_TIMING, type Timing } from './timing.js';
import { policyFor } from './verdicts.js';
import { priceTable } from '../claude/pricing.js';
import { checkDailyBudget } from './session-budget.js';
import type { UsageContext } from './session-usage.js';
import { LOCAL_ACCOUNT, MASTER_ACCOUNT, UsageLedger, type UsageTotals } from './usage-ledger.js';
import { MemoryUsageRepository, type UsageRepository } from './usage-repository.js';

export interface SupervisorDeps {
  config: Config;
  tmux: TmuxServer;
  repository: SessionRepository;
  bus: EventBus;
  logger: Logger;
  /** The daemon's environment, inherited by Claude. */
  env: NodeJS.ProcessEnv;
  /** Base URL of the daemon's hook endpoint, known once the HTTP server listens. */
  hookBaseUrl: () => string;
  timing?: Partial<Timing>;
  /** The user Claude runs as (`sessionUser`); null: the daemon's own. */
  sessionUser?: UnixUser | null;
  /** Where usage is kept; in memory when not given. */
  usageRepository?: UsageRepository;
  /** A key's daily budget in USD (null: none). */
  keyBudget?: (keyId: string) => number | null;
  /** Resolves a create's `tier` (or, routing on, its prompt) to a model; unset: one made from the configuration. */
  router?: ModelRouter;
}

export interface CreateResult {
  session: SessionView;
  reused: boolean;
  promptDelivery?: DeliveryResult & { code?: ErrorCode };
}

/** A create by Idempotency-Key: the key, and a digest of what it asked (a retry must ask the same). */
interface CreateKey {
  key: string;
  requestSha256: string;
}

export class Supervisor {
  private readonly registry = new SessionRegistry();
  /** Creates by Idempotency-Key still running, by caller and key: a retry meanwhile waits for the first. */
  private readonly keyedCreates = new Map<string, { key: CreateKey; result: Promise<CreateResult> }>();
  private readonly broker: PermissionBroker;
  private readonly context: SessionContext;
  private readonly launcher: SessionLauncher;
  private readonly upkeep: SessionUpkeep;
  private readonly retention: SessionRetention;
  private readonly usage: UsageContext;
  private readonly router: ModelRouter;

  constructor(private readonly deps: SupervisorDeps) {
    const { config, tmux, bus, logger } = deps;
    this.router = deps.router ?? new ModelRouter(config.modelRouter);
    const timing = { ...DEFAULT_TIMING, ...deps.timing };
    const publish = (type: Parameters<EventBus['publish']>[0], sessionId: string, fields: Record<string, unknown>) => {
      // Past its start Claude has read its settings: the hook secret in them goes.
      if ((type === 'status_changed' && fields.from === 'starting') || type === 'session_exited') this.launcher.forgetSettings(sessionId);
      bus.publish(type, sessionId, fields);
    };
    this.broker = new PermissionBroker(requestEvents(publish, logger));
    const prices = priceTable(config.pricing);
    this.usage = {
      ledger: new UsageLedger(deps.usageRepository ?? new MemoryUsageRepository(), prices, logger),
      prices,
      action: config.budgetAction,
      dailyBudgetOf: (account) => (deps.keyBudget && account !== MASTER_ACCOUNT && account !== LOCAL_ACCOUNT ? deps.keyBudget(account) : null),
      accountExceeded: (account) => {
        for (const session of this.registry.all()) if (session.account === account) session.stopForBudget(config.budgetAction);
      },
    };
    this.context = { tmux, repository: deps.repository, publish, broker: this.broker, permissions: config, paneSize: { cols: config.paneCols, rows: config.paneRows }, timing, logger, usage: this.usage };
    this.launcher = new SessionLauncher({ config, env: deps.env, tmux, repository: deps.repository, logger, hookBaseUrl: deps.hookBaseUrl, timing, sessionUser: deps.sessionUser ?? null });
    this.retention = new SessionRetention({
      retention: config.sessionRetention, registry: this.registry, repository: deps.repository, intervalMs: timing.retentionSweepIntervalMs, logger,
      release: (session) => this.release(session), purge: (record) => this.purge(record),
    });
    this.upkeep = new SessionUpkeep({ config, tmux, registry: this.registry, logger, timing, retention: this.retention });
    tmux.on('paneOutput', (paneId) => this.registry.byPaneId(paneId)?.onOutput());
    tmux.on('paneDied', (paneId, exitStatus) => this.registry.byPaneId(paneId)?.apply({ type: 'pane_died', exitStatus }));
    tmux.on('windowClose', (windowId) => this.registry.byWindowId(windowId)?.apply({ type: 'window_closed' }));
    tmux.on('disconnected', (reason) => this.upkeep.onTmuxDisconnectedQuietly(reason));
  }

  /** Re-adopts the sessions whose windows survived a restart, then starts the upkeep. */
  async start(): Promise<void> {
    const { repository, tmux, logger } = this.deps;
    await adoptStoredSessions({ repository, tmux, registry: this.registry, context: this.context, logger });
    await this.upkeep.sweepOrphans();
    this.upkeep.start();
  }

  /** One upkeep pass now (the daemon-wide timer runs them every second). */
  tick(now = Date.now()): void {
    this.upkeep.tick(now);
  }

  /**
   * Starts a session for `caller` (its owner), or hands back an idle one of the same caller. Callers
   * other than the daemon's own are the HTTP identities; their key's limits apply. With an
   * Idempotency-Key, a retry of the same request by the same caller (while the first still runs, or
   * after, across restarts: the key is kept with the session's record before its prompt is typed)
   * answers with the session the first made or reused, and its prompt is never given twice (it is the
   * same keyed delivery); the key used for another request is 409 IDEMPOTENCY_KEY_REUSED.
   */
  async create(requested: CreateSessionInput, caller: Identity = MASTER_IDENTITY, { idempotencyKey }: { idempotencyKey?: string | undefined } = {}): Promise<CreateResult> {
    if (idempotencyKey === undefined) return this.createNow(requested, caller, null);
    const key: CreateKey = { key: idempotencyKey, requestSha256: requestDigest(requested) };
    const inFlightId = `${caller.keyId ?? caller.kind}\n${idempotencyKey}`;
    const inFlight = this.keyedCreates.get(inFlightId);
    if (inFlight) {
      checkSameRequest(inFlight.key, key);
      return inFlight.result;
    }
    const made = this.registry.all().find((s) => s.ownerKeyId === caller.keyId && canSee(caller, s) && s.createdBy(idempotencyKey));
    if (made) return this.replayCreate(made, key, requested.prompt);
    const result = this.createNow(requested, caller, key);
    this.keyedCreates.set(inFlightId, { key, result });
    try {
      return await result;
    } finally {
      this.keyedCreates.delete(inFlightId);
    }
  }

  /** What a retried create answers: the session the first made or reused, and the first's prompt delivery, waited for or resumed. */
  private async replayCreate(session: Session, key: CreateKey, prompt: string | undefined): Promise<CreateResult> {
    const first = session.createdBy(key.key)!;
    checkSameRequest(first, key);
    const promptDelivery = prompt === undefined ? undefined : await promptDeliveryOf(session.send(prompt, { idempotencyKey: promptKey(key) }));
    return { session: session.view(), reused: first.reused, ...(promptDelivery ? { promptDelivery } : {}) };
  }

  private async createNow(requested: CreateSessionInput, caller: Identity, key: CreateKey | null): Promise<CreateResult> {
    const { config } = this.deps;
    // The model, from then on, is what the session runs: asked for, its tier's, or its prompt's tier's.
    const { model } = this.router.choose(requested, config.defaultModel ?? null);
    const asked = model === null ? requested : { ...requested, model };
    const ownerKeyId = caller.keyId;
    const account = accountOfCaller(caller);
    checkDailyBudget(this.usage, account);
    const checked = this.launcher.check(asked);
    const input = withKeyLimits(asked, checked, caller, config, this.runningOf(ownerKeyId));
    const workDir = input === asked ? checked : this.launcher.check(input);
    const wish = {
      workDir, ownerKeyId, ...sessionOptions(input, config), hasOwnEnv: Object.keys(input.env ?? {}).length > 0,
      maxCostUsd: input.maxCostUsd ?? null, maxTokens: input.maxTokens ?? null, name: input.name ?? null,
    };
    const reusable = this.registry.all().find((s) => isReusableFor(s.reuseFacts(), wish));
    if (reusable) {
      if (key) reusable.rememberCreate({ ...key, reused: true });
      const promptDelivery = input.prompt === undefined ? undefined : await promptDeliveryOf(reusable.sendAsReused(input.prompt, { idempotencyKey: key ? promptKey(key) : undefined }));
      return { session: reusable.view(), reused: true, ...(promptDelivery ? { promptDelivery } : {}) };
    }
    if (this.atCapacity()) {
      throw new AegisError('MAX_SESSIONS', `the daemon already runs ${config.maxSessions} sessions (AEGIS_MAX_SESSIONS); end one first`, { maxSessions: config.maxSessions });
    }
    const session = await this.registry.launching(ownerKeyId, async () => {
      const record = await this.launcher.launch(input, workDir, ownerKeyId, { keyName: caller.keyName ?? caller.kind, account });
      // Kept with the record's first save, before the prompt is typed.
      if (key) record.creates = [{ ...key, reused: false }];
      const started = new Session(record, this.context);
      try {
        started.persist();
      } catch (err) {
        started.close();
        await this.launcher.abandon(record);
        throw err;
      }
      this.registry.add(started, { live: true });
      started.observe({ readTranscript: false });
      return started;
    });
    this.deps.bus.publish('session_created', session.id, { session: session.view() });
    await session.checkPaneAlive();
    const promptDelivery = input.prompt === undefined ? undefined : await promptDeliveryOf(session.send(input.prompt, { idempotencyKey: key ? promptKey(key) : undefined }));
    return { session: session.view(), reused: false, ...(promptDelivery ? { promptDelivery } : {}) };
  }

  /** The sessions in memory, and the ended ones released from it, read from the store; oldest first. */
  list(status?: ListedStatus, caller: Identity = MASTER_IDENTITY): SessionView[] {
    // A daemon alone runs every session it holds: none has an unreachable owner.
    if (status === 'owner_unreachable') return [];
    const inMemory = this.visible(caller);
    const views = inMemory.filter((s) => !status || s.status === status).map((s) => s.view());
    if (status && status !== 'exited') return views;
    for (const record of this.releasedRecords(inMemory, caller)) views.push(sessionView(record, NOTHING_PENDING));
    return views.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string, caller: Identity = MASTER_IDENTITY): SessionView {
    return this.visibleSession(id, caller).view();
  }

  /**
   * Ends Claude and its window, forgets the session, and returns its final state. Decided, then
   * persisted, then done: when the store cannot forget the session, nothing is ended and the caller
   * hears why; once it has, nothing brings the record back.
   */
  async remove(id: string, caller: Identity = MASTER_IDENTITY): Promise<SessionView> {
    const session = this.visibleSession(id, caller);
    session.forget();
    this.usage.ledger.forgetSession(id);
    this.registry.delete(id);
    await session.end('deleted');
    // Ended before (its pane died), it may still be finishing up; it is nobody's any more.
    session.close();
    this.launcher.removeFiles(id);
    this.deps.bus.publish('session_removed', id, { reason: 'deleted' });
    return session.view();
  }

  /**
   * A handle on the session `id`, for what a caller asks of it (send, read, pane, interrupt,
   * decisions…); 404 when unknown, and when it belongs to another key than a caller who does not see
   * every session.
   */
  session(id: string, caller: Identity = MASTER_IDENTITY): SessionHandle {
    return sessionHandle(this.visibleSession(id, caller));
  }

  /** The Session itself, for the daemon's own parts and tests; callers of the API get a handle (`session()`). */
  sessionById(id: string): Session {
    return this.visibleSession(id, MASTER_IDENTITY);
  }

  private visibleSession(id: string, caller: Identity): Session {
    const session = this.registry.get(id) ?? this.readBack(id, caller);
    if (!session || !canSee(caller, session)) throw new AegisError('SESSION_NOT_FOUND', `no session ${id}`, { sessionId: id });
    return session;
  }

  /**
   * Which events a caller's stream may carry, by session id. Sessions it may see now are known from the
   * start and new ones as they are created; one that is ended and forgotten stays known, so its last
   * events still reach its owner.
   */
  eventFilter(caller: Identity): (sessionId: string) => boolean {
    if (seesAllSessions(caller)) return () => true;
    const known = new Set(this.visible(caller).map((s) => s.id));
    return (sessionId) => {
      if (known.has(sessionId)) return true;
      const session = this.registry.get(sessionId);
      if (!session || !canSee(caller, session)) return false;
      known.add(sessionId);
      return true;
    };
  }

  /**
   * An ended session released from memory, read back from its stored record for a caller who may see
   * it; its transcript is read when asked for. The retention sweep releases it again later.
   */
  private readBack(id: string, caller: Identity): Session | undefined {
    const parsed = sessionRecordSchema.safeParse(this.deps.repository.find(id));
    if (!parsed.success || parsed.data.status !== 'exited' || !canSee(caller, parsed.data)) return undefined;
    const session = new Session(parsed.data, this.context);
    this.registry.add(session, { live: false });
    this.retention.readBack(id);
    return session;
  }

  /** An ended session leaves memory: its record stays, and so does what its transcript holds. */
  private release(session: Session): void {
    this.registry.delete(session.id);
    session.close();
  }

  /** An ended session past its retention leaves the store, with its files; usage totals keep what it used. */
  private purge(record: SessionRecord): void {
    const session = this.registry.get(record.id);
    if (session) session.forget();
    else this.deps.repository.remove(record.id);
    this.registry.delete(record.id);
    session?.close();
    this.usage.ledger.forgetSession(record.id);
    this.launcher.removeFiles(record.id);
    this.deps.bus.publish('session_removed', record.id, { reason: 'purged', endedAt: record.exit?.at ?? record.statusChangedAt, retentionDays: this.deps.config.sessionRetention.days });
  }

  /** The stored records of ended sessions a caller may see that are not among those `inMemory`. */
  private releasedRecords(inMemory: readonly Session[], caller: Identity): SessionRecord[] {
    const held = new Set(inMemory.map((s) => s.id));
    return this.deps.repository.exited().flatMap(({ id, document }) => {
      if (held.has(id)) return [];
      const parsed = sessionRecordSchema.safeParse(document);
      return parsed.success && parsed.data.status === 'exited' && !held.has(parsed.data.id) && canSee(caller, parsed.data) ? [parsed.data] : [];
    });
  }

  private visible(caller: Identity): Session[] {
    return this.registry.all().filter((s) => canSee(caller, s));
  }

  /** Sessions of a key that run or are being launched: what its maxSessions counts. */
  private runningOf(keyId: string | null): number {
    return this.registry.all().filter((s) => !s.exited && s.ownerKeyId === keyId).length + this.registry.launches(keyId).underWay;
  }

  /**
   * A hook call from Claude. Returns false when the secret does not belong to a live session (the
   * caller answers 401); otherwise gives the session what the hook says and returns the hook's answer.
   */
  handleHook(event: HookEvent, sessionId: string, secret: string, payload: HookPayload, abandoned = new AbortController().signal): Record<string, unknown> | Promise<Record<string, unknown>> | false {
    const session = this.registry.get(sessionId);
    if (!session?.matchesSecret((hash) => secretMatches(secret, hash))) return false;
    if (event === 'PermissionRequest') return session.requestPermission(payload, abandoned);
    for (const signal of hookSignals(event, payload)) session.apply(signal);
    return {};
  }

  health(caller: Identity = MASTER_IDENTITY): SessionsHealth {
    const inMemory = this.visible(caller);
    return sessionsHealth([...inMemory.map((s) => s.healthFacts().record), ...this.releasedRecords(inMemory, caller)]);
  }

  /** A session's timers and what to do about its state. */
  sessionHealth(id: string, caller: Identity = MASTER_IDENTITY): SessionHealth {
    const facts = this.visibleSession(id, caller).healthFacts();
    return sessionHealth(facts, { policy: policyFor(facts.record, this.deps.config), stallAction: this.deps.config.stallAction });
  }

  /** The usage ledger's totals: by model, by account, daemon-wide, since the ledger began. */
  get usageTotals(): UsageTotals {
    return this.usage.ledger;
  }

  activeCount(): number {
    return this.registry.activeCount();
  }

  /** Whether a new session would be refused with MAX_SESSIONS now: launches under way hold their place. */
  atCapacity(): boolean {
    return this.registry.activeCount() + this.registry.launches().underWay >= this.deps.config.maxSessions;
  }

  /** Every session the daemon knows: those in memory and the ended ones released from it, still in the store. */
  get totalCount(): number {
    try {
      return Math.max(this.deps.repository.count(), this.registry.size);
    } catch {
      return this.registry.size; // the store cannot be read: what memory holds
    }
  }

  /** Sessions held in memory (ended ones until the retention sweep lets them go). */
  get inMemoryCount(): number {
    return this.registry.size;
  }

  /** Orphan windows seen by the last sweep, for diagnostics. */
  orphanReport(): OrphanReport {
    return this.upkeep.orphanReport();
  }

  /** From now on no permission request is decided or opened: the daemon is stopping. */
  leaveRequestsUndecided(): void {
    this.broker.close();
  }

  /** Stops the upkeep and leaves every request undecided; sessions run on in tmux, unless `killSessions`. */
  async close({ killSessions = false }: { killSessions?: boolean } = {}): Promise<void> {
    this.upkeep.stop();
    this.broker.close();
    if (killSessions) await Promise.all(this.registry.all().map((session) => session.end('deleted')));
    else for (const session of this.registry.all()) session.close();
    this.launcher.close();
  }

}

const NOTHING_PENDING = { pendingPermission: null, pendingQuestion: null };

/** Whom a caller's sessions are charged to: its key, or the master token, or the token-less loopback mode. */
function accountOfCaller(caller: Identity): string {
  return caller.keyId ?? (caller.kind === 'open' ? LOCAL_ACCOUNT : MASTER_ACCOUNT);
}

/** The key of a keyed create's prompt delivery: a retry of the create resumes that delivery, never types the prompt again. */
function promptKey(key: CreateKey): string {
  return `create:${key.key}`;
}

/** The same request digests the same however its fields were ordered. */
function requestDigest(requested: CreateSessionInput): string {
  return createHash('sha256').update(canonicalJson(requested)).digest('hex');
}

function checkSameRequest(first: CreateKey, retry: CreateKey): void {
  if (first.requestSha256 !== retry.requestSha256) {
    throw new AegisError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${retry.key} was used for another session request`, { idempotencyKey: retry.key });
  }
}

/**
 * A create's prompt. The session exists whatever becomes of its prompt, so a create answers with the
 * session and says in `promptDelivery` what happened to the prompt, for a new and a reused session alike.
 */
async function promptDeliveryOf(delivery: Promise<DeliveryResult>): Promise<DeliveryResult & { code?: ErrorCode }> {
  try {
    return await delivery;
  } catch (err) {
    if (!(err instanceof AegisError)) throw err;
    return { delivered: false, attempts: 0, error: errorMessage(err), code: err.code };
  }
}
