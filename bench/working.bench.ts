/** Ten sessions at work for a minute (`working.ts`), recorded in docs/benchmarks.md. */
import { it } from 'vitest';
import { record } from './report.js';
import { runWorking, workingSection } from './working.js';

it('ten sessions at work for a minute', async () => {
  record('working', workingSection(await runWorking({ sessions: 10, seconds: 60, settleSeconds: 30 })));
});
