/**
 * The record is the Session's alone: what it hands out (a view, the facts reuse and health read) is a
 * copy, so a caller that changes it, or keeps it, never changes or sees the live record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sessionHarness, type Harness } from '../../test/support/session-harness.js';

const harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
});

describe('what a session hands out', () => {
  it('gives views whose usage and exit are copies', async () => {
    const h = sessionHarness('idle');
    harnesses.push(h);
    h.session.view().usage.costUsd = 99;
    expect(h.session.view().usage.costUsd).toBe(0);

    await h.session.end('window_closed');
    const ended = h.session.view();
    ended.exit!.reason = 'deleted';
    expect(h.session.view().exit?.reason).toBe('window_closed');
  });

  it('gives reuse and health a copy of the record', () => {
    const h = sessionHarness('idle');
    harnesses.push(h);
    h.session.reuseFacts().record.status = 'exited';
    h.session.healthFacts().record.usage.outputTokens = 7;
    expect(h.session.status).toBe('idle');
    expect(h.session.view().usage.outputTokens).toBe(0);
  });
});

describe('what a session saves', () => {
  it('saves a new transcript path when Claude moves to it, not at the next status change', () => {
    const h = sessionHarness('idle', { record: { transcriptPath: '/nonexistent/first.jsonl' } });
    harnesses.push(h);
    h.session.apply({ type: 'transcript_moved', path: '/nonexistent/second.jsonl' });
    expect(h.session.status).toBe('idle');
    expect(h.saved.at(-1)?.transcriptPath).toBe('/nonexistent/second.jsonl');
  });
});
