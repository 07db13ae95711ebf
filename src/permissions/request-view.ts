/**
 * The contract's Permission object (and, for questions, what was asked), as callers and events see a
 * pending request. Pure.
 */
import type { PendingRequest } from './broker.js';

export function requestView(request: PendingRequest): Record<string, unknown> {
  const { kind, questions, screen, ...permission } = request;
  if (kind === 'permission') return { ...permission, ...(screen ? { screen } : {}) };
  const first = questions?.[0];
  return { ...permission, question: first?.question ?? '', header: first?.header, options: first?.options ?? [], multiSelect: first?.multiSelect ?? false, questions };
}
