/**
 * API keys in SQLite (the api_keys table): it implements the KeyRepository of src/auth by shape,
 * storing what it is given. Secrets are never given to it, only their hashes.
 */
import { write, type Db } from './database.js';

/** One key as stored. */
export interface StoredKeyDocument {
  id: string;
  name: string;
  secretHash: string;
  previousSecretHash: string | null;
  graceUntil: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  useCount: number;
  maxSessions: number | null;
  allowedWorkdirs: string[];
  permissionProfile: string | null;
  budgetUsd: number | null;
  maxCostUsd: number | null;
  maxTokens: number | null;
}

export interface KeyUseDocument {
  id: string;
  lastUsedAt: string;
  useCount: number;
}

interface Row {
  id: string;
  name: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  grace_until: string | null;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  use_count: number;
  max_sessions: number | null;
  allowed_workdirs: string;
  permission_profile: string | null;
  budget_usd: number | null;
  max_cost_usd: number | null;
  max_tokens: number | null;
}

const COLUMNS =
  'id, name, secret_hash, previous_secret_hash, grace_until, scopes, created_at, expires_at, revoked_at, last_used_at, use_count, max_sessions, allowed_workdirs, permission_profile, budget_usd, max_cost_usd, max_tokens';

export class KeyStore {
  private readonly allStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly useStmt;

  constructor(private readonly db: Db) {
    this.allStmt = db.prepare(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
    this.insertStmt = db.prepare(
      `INSERT INTO api_keys (${COLUMNS}) VALUES (@id, @name, @secret_hash, @previous_secret_hash, @grace_until, @scopes, @created_at, @expires_at, @revoked_at, @last_used_at, @use_count, @max_sessions, @allowed_workdirs, @permission_profile, @budget_usd, @max_cost_usd, @max_tokens)`,
    );
    this.updateStmt = db.prepare(
      'UPDATE api_keys SET name = @name, secret_hash = @secret_hash, previous_secret_hash = @previous_secret_hash, grace_until = @grace_until, scopes = @scopes, ' +
        'expires_at = @expires_at, revoked_at = @revoked_at, max_sessions = @max_sessions, allowed_workdirs = @allowed_workdirs, permission_profile = @permission_profile, ' +
        'budget_usd = @budget_usd, max_cost_usd = @max_cost_usd, max_tokens = @max_tokens WHERE id = @id',
    );
    this.useStmt = db.prepare('UPDATE api_keys SET last_used_at = ?, use_count = ? WHERE id = ?');
  }

  all(): StoredKeyDocument[] {
    return (this.allStmt.all() as Row[]).map(fromRow);
  }

  insert(key: StoredKeyDocument): void {
    write(this.db, () => this.insertStmt.run(toRow(key)));
  }

  update(key: StoredKeyDocument): void {
    write(this.db, () => this.updateStmt.run(toRow(key)));
  }

  recordUses(uses: readonly KeyUseDocument[]): void {
    write(this.db, () => {
      for (const use of uses) this.useStmt.run(use.lastUsedAt, use.useCount, use.id);
    });
  }
}

function toRow(key: StoredKeyDocument): Row {
  return {
    id: key.id,
    name: key.name,
    secret_hash: key.secretHash,
    previous_secret_hash: key.previousSecretHash,
    grace_until: key.graceUntil,
    scopes: JSON.stringify(key.scopes),
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
    last_used_at: key.lastUsedAt,
    use_count: key.useCount,
    max_sessions: key.maxSessions,
    allowed_workdirs: JSON.stringify(key.allowedWorkdirs),
    permission_profile: key.permissionProfile,
    budget_usd: key.budgetUsd,
    max_cost_usd: key.maxCostUsd,
    max_tokens: key.maxTokens,
  };
}

function fromRow(row: Row): StoredKeyDocument {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    previousSecretHash: row.previous_secret_hash,
    graceUntil: row.grace_until,
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    useCount: row.use_count,
    maxSessions: row.max_sessions,
    allowedWorkdirs: JSON.parse(row.allowed_workdirs) as string[],
    permissionProfile: row.permission_profile,
    budgetUsd: row.budget_usd,
    maxCostUsd: row.max_cost_usd,
    maxTokens: row.max_tokens,
  };
}
