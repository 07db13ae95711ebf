import { describe, expect, it } from 'vitest';
import type { AegisEvent } from '../events/event-bus.js';
import { formatEvent } from './sse.js';

describe('formatEvent', () => {
  it('writes one event as id, event and a JSON data line', () => {
    const event: AegisEvent = { id: 7, type: 'stalled', sessionId: 's', at: 'now', silentMs: 1 };
    expect(formatEvent(event)).toBe(`id: 7\nevent: stalled\ndata: ${JSON.stringify(event)}\n\n`);
  });

  it('sends an event whose fields cannot be serialised as a stand-in instead of dropping it', () => {
    const toolInput: Record<string, unknown> = {};
    toolInput.self = toolInput;
    const text = formatEvent({ id: 8, type: 'permission_request', sessionId: 's', at: 'now', toolInput });
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
    expect(data).toEqual({ id: 8, type: 'permission_request', sessionId: 's', at: 'now', error: { code: 'INTERNAL', message: expect.stringContaining('cannot be shown') } });
  });
});
