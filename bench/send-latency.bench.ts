/** Send → `working` against Claude's floor, and delivery attempts (`send-latency.ts`), recorded in docs/benchmarks.md. */
import { it } from 'vitest';
import { record, summarize } from './report.js';
import { runSendLatency, sendLatencySection } from './send-latency.js';
import { headline } from './summary.js';

it('send → working against Claude\'s floor, and delivery attempts', async () => {
  const result = await runSendLatency({ events: 100, sessions: 10, deliveries: 3 });
  record('send-latency', sendLatencySection(result));
  const floor = summarize(result.floor).median;
  const atOnce = summarize(result.atOnce).median;
  const one = summarize(result.one).median;
  const retried = Object.values(result.retried).reduce((a, b) => a + b, 0);
  headline(
    {
      benchmark: 'send-working',
      measure: 'send → `working`, 1 session, median over Claude\'s floor',
      value: `+${(one - floor).toFixed(0)} ms (${one.toFixed(0)} vs ${floor.toFixed(0)} ms)`,
      goal: '≤ +10 ms',
      met: one - floor <= 10,
    },
    {
      benchmark: 'send-working',
      measure: 'send → `working`, 1 session, median over Claude given the text at once (paste and Enter)',
      value: `+${(one - atOnce).toFixed(0)} ms (${one.toFixed(0)} vs ${atOnce.toFixed(0)} ms)`,
    },
    { benchmark: 'send-working', measure: 'deliveries needing a second attempt (66 characters, 5 lines)', value: `${retried} of ${result.options.deliveries * 4}`, goal: '0', met: retried === 0 },
  );
});
