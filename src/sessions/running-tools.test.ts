import { describe, expect, it } from 'vitest';
import type { TranscriptMessage } from '../claude/transcript.js';
import { RunningTools } from './running-tools.js';

const message = (kind: TranscriptMessage['kind'], toolUseId: string): TranscriptMessage => ({ id: toolUseId, role: kind === 'tool_use' ? 'assistant' : 'user', kind, text: '', toolUseId, timestamp: 't' });

describe('RunningTools', () => {
  it('holds a tool while it has no result, and forgets the oldest past 1024 never answered', () => {
    const tools = new RunningTools();
    tools.saw([message('tool_use', 'a')]);
    expect(tools.any).toBe(true);
    tools.saw([message('tool_result', 'a')]);
    expect(tools.any).toBe(false);
    // A transcript that asks for tools it never answers cannot grow the set without bound.
    const ids = Array.from({ length: 5000 }, (_, i) => `t${i}`);
    tools.saw(ids.map((id) => message('tool_use', id)));
    tools.saw(ids.slice(-1023).map((id) => message('tool_result', id)));
    expect(tools.any).toBe(true);
    tools.saw([message('tool_result', ids.at(-1024)!)]);
    expect(tools.any).toBe(false);
  });
});
