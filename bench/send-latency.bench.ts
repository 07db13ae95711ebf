/** Send → `working` against Claude's floor, and delivery attempts (`send-latency.ts`), recorded in docs/benchmarks.md. */
import { it } from 'vitest';
import { record } from './report.js';
import { runSendLatency, sendLatencySection } from './send-latency.js';

it('send → working against Claude\'s floor, and delivery attempts', async () => {
  record('send-latency', sendLatencySection(await runSendLatency({ events: 100, sessions: 10, deliveries: 5 })));
});
