/**
 * What the audit log says about text a caller sent (a prompt, a message, an answer, a rejection's
 * reason): its length and SHA-256, so an entry proves which text it was without keeping it; the text
 * itself only where `audit.includeText` is on.
 */
import { createHash } from 'node:crypto';

export interface TextDigest {
  length: number;
  sha256: string;
  text?: string;
}

export function digestText(text: string, includeText: boolean): TextDigest {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  return { length: text.length, sha256, ...(includeText ? { text } : {}) };
}
