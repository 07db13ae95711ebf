/**
 * The audit log: `record()` is the one line any part of the daemon calls to say who did what. It adds
 * the id, the time and the chain link and appends the entry. A failing write is reported, never thrown:
 * the action it describes has happened (or been refused) already, and the caller's answer must not
 * turn into a 500 because of the record of it.
 */
import type { Logger } from '../log.js';
import type { AuditEntry, AuditRecordInput } from './audit-entry.js';
import type { AuditRepository } from './audit-repository.js';
import { entryHash, GENESIS_HASH } from './chain.js';
import { digestText, type TextDigest } from './text-digest.js';

export interface AuditLogOptions {
  /** Keep the text of prompts, messages and answers in entries, not only its length and SHA-256. */
  includeText: boolean;
  logger: Pick<Logger, 'error'>;
  now?: () => Date;
}

export class AuditLog {
  private readonly now: () => Date;
  private failures = 0;

  constructor(
    readonly repository: AuditRepository,
    private readonly options: AuditLogOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  record(input: AuditRecordInput): AuditEntry | null {
    try {
      return this.repository.append((previous) => {
        const content = {
          id: (previous?.id ?? 0) + 1,
          at: this.now().toISOString(),
          actor: input.actor,
          actorName: input.actorName ?? null,
          action: input.action,
          resource: input.resource ?? null,
          ip: input.ip ?? null,
          outcome: input.outcome,
          details: plainJson(input.details ?? {}),
        };
        return { ...content, hash: entryHash(previous?.hash ?? GENESIS_HASH, content) };
      });
    } catch (err) {
      this.failures++;
      this.options.logger.error({ action: input.action, resource: input.resource, err: err instanceof Error ? err.message : String(err) }, 'cannot write an audit entry');
      return null;
    }
  }

  /** Text as the log may keep it: its digest, and the text too where `audit.includeText` is on. */
  text(text: string): TextDigest {
    return digestText(text, this.options.includeText);
  }

  /** Entries that could not be written since the daemon started. */
  get failedWrites(): number {
    return this.failures;
  }
}

/** The details as they read back from JSON (no undefined, no -0, no class instances): what was hashed is what is stored. */
function plainJson(details: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
}
