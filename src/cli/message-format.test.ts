import { describe, expect, it } from 'vitest';
import type { TranscriptMessage } from '../client/types.js';
import { formatMessage } from './message-format.js';

const message = (fields: Partial<TranscriptMessage>): TranscriptMessage => ({
  id: 'u1:0', role: 'assistant', kind: 'text', text: '', timestamp: '2026-01-01T12:00:00Z', ...fields,
});
const withoutClock = (lines: string[]) => lines.join('\n').replace(/^\d\d:\d\d:\d\d /, '');

describe('formatMessage', () => {
  it('puts role, kind and tool in a header and indents the text below it', () => {
    expect(withoutClock(formatMessage(message({ kind: 'tool_use', toolName: 'Bash', text: 'npm test\nnpm run lint\n' })))).toBe(
      'assistant tool_use Bash\n  npm test\n  npm run lint',
    );
  });

  it('marks failed tool results and shows empty text as such', () => {
    expect(withoutClock(formatMessage(message({ role: 'user', kind: 'tool_result', isError: true, text: '' })))).toBe('user      tool_result (error)\n  (no text)');
  });
});
