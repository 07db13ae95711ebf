/** Ten sessions at work for a minute (`working.ts`), recorded in docs/benchmarks.md. */
import { it } from 'vitest';
import { record } from './report.js';
import { headline } from './summary.js';
import { daemonWorkingMsPerMinute, runWorking, workingSection } from './working.js';

it('ten sessions at work for a minute', async () => {
  const result = await runWorking({ sessions: 10, seconds: 60, settleSeconds: 30 });
  record('working', workingSection(result));
  const ms = daemonWorkingMsPerMinute(result);
  headline({
    benchmark: 'working',
    measure: 'daemon CPU, 10 sessions at work (text and tool calls)',
    value: `${Math.round(ms)} ms/min (${result.wakesPerSecond.toFixed(0)} wakes/s)`,
    goal: '< 600 ms/min',
    met: ms < 600,
  });
});
