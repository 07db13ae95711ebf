/**
 * SSE tokens: a browser's EventSource cannot send an Authorization header, so a caller trades its
 * credentials for a short-lived token to put in the stream's URL. A token is good for one stream,
 * once, within its lifetime (60 s unless configured), and carries the identity that asked for it;
 * URLs end up in proxy logs and browser history, so what one leaks is worth little and soon nothing.
 * Tokens are kept in memory by hash: a restart voids them, which costs a client one more request.
 */
import { randomBytes } from 'node:crypto';
import type { Identity } from './scopes.js';
import { sha256 } from './tokens.js';

export const SSE_TOKEN_PREFIX = 'aes_';

interface Issued {
  identity: Identity;
  expiresAt: number;
}

export class SseTokens {
  private readonly issued = new Map<string, Issued>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(identity: Identity): { token: string; expiresAt: string } {
    this.prune();
    const token = SSE_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.issued.set(hashOf(token), { identity, expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The identity a token stands for, once: it is spent whether or not it was still good. */
  redeem(token: string): Identity | null {
    const hash = hashOf(token);
    const issued = this.issued.get(hash);
    if (!issued) return null;
    this.issued.delete(hash);
    return issued.expiresAt > this.now() ? issued.identity : null;
  }

  get outstanding(): number {
    return this.issued.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [hash, issued] of this.issued) if (issued.expiresAt <= now) this.issued.delete(hash);
  }
}

function hashOf(token: string): string {
  return sha256(token).toString('hex');
}
