import { afterEach, describe, expect, it } from 'vitest';
import { sessionHarness, type Harness } from '../../test/support/session-harness.js';
import { sessionHandle } from './session-handle.js';

const harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
});

describe('the handle the API gets on a session', () => {
  it('asks of its session, and holds nothing that changes the session directly', async () => {
    const h = sessionHarness('idle');
    harnesses.push(h);
    const handle = sessionHandle(h.session);
    expect(handle.view()).toEqual(h.session.view());
    expect(handle.permissions()).toEqual({ pending: [] });
    for (const inner of ['apply', 'end', 'endInBackground', 'forget', 'close', 'persist', 'observe', 'requestPermission']) {
      expect(inner in handle, inner).toBe(false);
    }
    expect(Object.isFrozen(handle)).toBe(true);
  });
});
