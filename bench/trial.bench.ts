import { it } from 'vitest';
import { runWorking, workingSection } from './working.js';
it('trial', async () => {
  const n = (process.env.TRIAL ?? '2,15,5').split(',').map(Number);
  console.log(workingSection(await runWorking({ sessions: n[0]!, seconds: n[1]!, settleSeconds: n[2]! })));
});
