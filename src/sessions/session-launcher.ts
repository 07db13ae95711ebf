/**
 * Starting Claude for a new session: what the request may ask for (an allowed work dir, an allowed
 * environment, a configured profile), its settings file (hooks and a fresh hook secret, removed once
 * Claude has read it), its environment, its record (saved before anything runs) and its tmux window,
 * started in the very directory that was checked. Whatever a failed launch created is removed again.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256 } from '../auth/tokens.js';
import type { Config } from '../config/schema.js';
import { claudeConfigDirOf, type UnixUser } from '../config/session-user.js';
import { checkRequestEnv, claudeArgv, claudeEnv, needsSandbox, sessionSettings, startCommand, userEnv } from '../claude/launch.js';
import { telemetryEnv } from '../claude/telemetry.js';
import { permissionTimeout } from '../permissions/policy.js';
import { transcriptPath } from '../claude/transcript.js';
import { AegisError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { processStartTime } from '../process-alive.js';
import type { TmuxServer } from '../tmux/tmux-server.js';
import type { CreateSessionInput } from './inputs.js';
import { NO_USAGE, type SessionRecord } from './session-record.js';
import type { Timing } from './timing.js';
import type { SessionRepository } from './session-repository.js';
import { asLaunchError } from './tmux-failures.js';
import { SettingsFiles } from './settings-files.js';
import { ensureUserDir } from './user-dirs.js';
import { startedIn } from './started-in.js';
import { changedWorkDir, openWorkDir, resolveWorkDir, type OpenedWorkDir } from './workdir.js';

export interface SessionLauncherDeps {
  config: Config;
  env: NodeJS.ProcessEnv;
  tmux: Pick<TmuxServer, 'newWindow' | 'killWindow'>;
  repository: SessionRepository;
  logger: Logger;
  hookBaseUrl: () => string;
  timing: Pick<Timing, 'permissionHookMarginMs'>;
  /** The user Claude runs as (`sessionUser`); null: the daemon's own. */
  sessionUser?: UnixUser | null;
  /** How long tmux may take to start Claude in its window. */
  startWaitMs?: number;
}

/** What a session runs with: what the request asked for, else the daemon's defaults. */
export function sessionOptions(input: Pick<CreateSessionInput, 'permissionMode' | 'permissionProfile' | 'model'>, config: Config) {
  return {
    permissionMode: input.permissionMode ?? config.defaultPermissionMode,
    permissionProfile: input.permissionProfile ?? config.defaultPermissionProfile ?? null,
    model: input.model ?? config.defaultModel ?? null,
  };
}

export class SessionLauncher {
  private readonly settingsFiles: SettingsFiles;
  private readonly user: UnixUser | null;

  constructor(private readonly deps: SessionLauncherDeps) {
    this.user = deps.sessionUser ?? null;
    this.settingsFiles = new SettingsFiles(deps.config.stateDir, this.user);
  }

  /**
   * What a create asks for, checked before anything runs: the work dir (resolved, under the allowed
   * roots), the environment (only allowed names), the profile (a configured one). Returns the work dir.
   */
  check(input: CreateSessionInput): string {
    const { config } = this.deps;
    const workDir = resolveWorkDir(input.workDir, config.allowedWorkdirs);
    checkRequestEnv(input.env ?? {}, config.allowedRequestEnv);
    if (input.permissionProfile && !Object.hasOwn(config.permissionProfiles, input.permissionProfile)) {
      const known = Object.keys(config.permissionProfiles).join(', ') || 'none configured';
      throw new AegisError('INVALID_REQUEST', `permissionProfile ${input.permissionProfile} is not a configured profile (${known})`, {
        issues: [{ path: 'permissionProfile', message: `unknown profile; known: ${known}` }],
      });
    }
    return workDir;
  }

  /**
   * Starts Claude in a new window and returns the session's record, with its window. The record is
   * saved before anything starts; from here on it is the Session's, which saves it with its window
   * (or, when it cannot, the launch is undone with `abandon`).
   */
  async launch(input: CreateSessionInput, workDir: string, ownerKeyId: string | null, owner: { keyName?: string; account?: string } = {}): Promise<SessionRecord> {
    const { keyName: ownerKeyName = 'master', account = ownerKeyId ?? 'master' } = owner;
    const { config, env, tmux } = this.deps;
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const { permissionMode, permissionProfile, model } = sessionOptions(input, config);
    // A held permission request outlives the permission timeout, so the timeout (not Claude) decides it.
    const hookTimeoutMs = permissionTimeout(config, permissionProfile).timeoutMs + this.deps.timing.permissionHookMarginMs;
    const settings = sessionSettings(this.deps.hookBaseUrl(), id, secret, permissionMode, hookTimeoutMs);
    let settingsPath: string;
    try {
      settingsPath = this.settingsFiles.write(id, settings);
    } catch (err) {
      this.removeFiles(id);
      throw new AegisError('STORE_UNAVAILABLE', `cannot write the session's settings: ${errorMessage(err)}`);
    }

    const { user } = this;
    // As root Claude refuses bypassPermissions unless told it runs in a sandbox; the caller asked for it explicitly.
    const runsAsRoot = user ? user.uid === 0 : process.getuid?.() === 0;
    const sessionEnv = {
      ...claudeEnv(env, input.env ?? {}, config.allowedRequestEnv, {
        sandbox: needsSandbox(permissionMode, runsAsRoot),
        ...(config.claudeTelemetry ? { telemetry: telemetryEnv(config.claudeTelemetry, { sessionId: id, keyName: ownerKeyName, keyId: ownerKeyId }) } : {}),
      }),
      ...(user ? userEnv(user, claudeConfigDirOf(user)) : {}),
    };
    const name = input.name ?? `session-${id.slice(0, 8)}`;
    const now = new Date().toISOString();
    const record: SessionRecord = {
      id, name, workDir, status: 'starting', model, permissionMode, permissionProfile,
      createdAt: now, lastActivityAt: now, statusChangedAt: now, ownerKeyId,
      usage: structuredClone(NO_USAGE), maxCostUsd: input.maxCostUsd ?? null, maxTokens: input.maxTokens ?? null, account,
      exit: null, idleTimeoutMs: input.idleTimeoutMs ?? null, stallThresholdMs: input.stallThresholdMs ?? null,
      windowId: '', paneId: '', panePid: 0, panePidStartTime: null,
      hookSecretHash: hashSecret(secret), transcriptPath: transcriptPath(sessionEnv, workDir, id), earlierTranscripts: [], deliveries: [], creates: [], openRequests: [],
    };
    // Recorded before anything starts: a store that cannot be written fails the request with nothing to undo.
    try {
      this.deps.repository.save(record);
    } catch (err) {
      this.removeFiles(id);
      throw err;
    }
    let opened: OpenedWorkDir | null = null;
    try {
      // The daemon watches the transcript's folder from the start: made now, it is the session user's.
      if (user) ensureUserDir(claudeConfigDirOf(user), dirname(record.transcriptPath), user);
      opened = openWorkDir(workDir, config.allowedWorkdirs);
      const argv = claudeArgv({ claudeCommand: config.claudeCommand, sessionId: id, settingsPath, permissionMode, model: model ?? undefined });
      const pane = await tmux.newWindow({ name, cwd: opened.handle, env: sessionEnv, owner: id, argv: startCommand(argv, workDir, user) });
      Object.assign(record, { windowId: pane.windowId, paneId: pane.paneId, panePid: pane.panePid, panePidStartTime: processStartTime(pane.panePid) });
      const started = await startedIn(pane.panePid, workDir, this.deps.startWaitMs ?? 5_000);
      if (started.kind === 'elsewhere') {
        this.deps.logger.warn({ sessionId: id, workDir, cwd: started.cwd }, 'Claude started outside its work dir; ended');
        await tmux.killWindow(pane.windowId).catch(() => {});
        throw changedWorkDir(workDir);
      }
    } catch (err) {
      this.undoLaunch(id);
      throw asLaunchError(err);
    } finally {
      opened?.close();
    }
    this.deps.logger.info({ sessionId: id, workDir, paneId: record.paneId, permissionMode }, 'session started');
    return record;
  }

  /**
   * Removes a session's settings file, which holds its hook secret: Claude read it at start and never
   * reads it again, and a command the session runs could.
   */
  forgetSettings(id: string): void {
    this.settingsFiles.remove(id);
  }

  /** Undoes a launch whose session could not be recorded with its window: the window, the files, the record. */
  async abandon(record: SessionRecord): Promise<void> {
    await this.deps.tmux.killWindow(record.windowId).catch(() => {});
    this.undoLaunch(record.id);
  }

  /** Removes a session's files. */
  removeFiles(id: string): void {
    this.settingsFiles.remove(id);
    rmSync(this.sessionDir(id), { recursive: true, force: true });
  }

  /** Removes what the launcher keeps outside the state dir. */
  close(): void {
    this.settingsFiles.close();
  }

  /** Removes what a launch that failed left behind: its files and its record. */
  private undoLaunch(id: string): void {
    this.removeFiles(id);
    try {
      this.deps.repository.remove(id);
    } catch {
      // the store is what failed; there is nothing more to undo
    }
  }

  private sessionDir(id: string): string {
    return join(this.deps.config.stateDir, 'sessions', id);
  }
}

function hashSecret(secret: string): string {
  return sha256(secret).toString('hex');
}

/** Only the secret's hash is kept; the comparison runs in constant time. */
export function secretMatches(secret: string, expectedHash: string): boolean {
  const expected = Buffer.from(expectedHash, 'hex');
  return expected.length === 32 && timingSafeEqual(sha256(secret), expected);
}
