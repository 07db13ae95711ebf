/**
 * Start: `POST /v1/sessions` → the session idle, against Claude Code's own start → idle screen
 * (bench/raw-claude.ts) in the same run, with the workdir already trusted and with Claude's
 * workspace-trust dialog to answer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'vitest';
import { startTestDaemon } from '../test/support/daemon.js';
import { rawClaude } from './raw-claude.js';
import { LATENCY_TABLE, latencyRow, record, summarize } from './report.js';
import { openCountingSse } from './sse-counter.js';
import { headline } from './summary.js';

const RUNS = Number(process.env.AEGIS_BENCH_START_RUNS ?? 6);

/** Marks workdirs trusted in the daemon's Claude config (written before any Claude runs, which rewrite it). */
function trustWorkDirs(workDirs: string[]): void {
  const file = join(dirname(workDirs[0]!), 'claude-config', '.claude.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { projects: Record<string, unknown> };
  for (const dir of workDirs) config.projects[dir] = { hasTrustDialogAccepted: true };
  writeFileSync(file, JSON.stringify(config));
}

it('create → idle against Claude Code started by hand, trusted and untrusted', async () => {
  const t = await startTestDaemon({ claude: true, childProcess: true });
  const raw = rawClaude(t.fake!.url);
  const idleAt = new Map<string, number>();
  const events = await openCountingSse(`${t.url}/v1/events`, (type, data: { sessionId?: string; to?: string }) => {
    if (type === 'status_changed' && data.to === 'idle' && data.sessionId && !idleAt.has(data.sessionId)) idleAt.set(data.sessionId, performance.now());
  });
  try {
    const trustedDirs = Array.from({ length: RUNS }, () => t.workDir());
    trustWorkDirs(trustedDirs);
    const aegisStart = async (workDir: string) => {
      const begin = performance.now();
      const res = await t.api('POST', '/v1/sessions', { workDir });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      const id = res.body.id as string;
      const deadline = Date.now() + 60_000;
      while (!idleAt.has(id)) {
        if (Date.now() > deadline) throw new Error(`session ${id} not idle within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await t.api('DELETE', `/v1/sessions/${id}`);
      return idleAt.get(id)! - begin;
    };
    const samples = { aegisTrusted: [] as number[], rawTrusted: [] as number[], aegisUntrusted: [] as number[], rawUntrusted: [] as number[] };
    // Aegis and the baseline alternate, so that both meet the machine in the same state.
    for (let i = 0; i < RUNS; i++) {
      samples.aegisTrusted.push(await aegisStart(trustedDirs[i]!));
      samples.rawTrusted.push(await raw.startToIdle(true));
      samples.aegisUntrusted.push(await aegisStart(t.workDir()));
      samples.rawUntrusted.push(await raw.startToIdle(false));
    }
    const ratio = (a: number[], b: number[]) => summarize(a).median / summarize(b).median;
    const trusted = ratio(samples.aegisTrusted, samples.rawTrusted);
    const untrusted = ratio(samples.aegisUntrusted, samples.rawUntrusted);
    record('start', `## Start: create → idle against Claude Code's own start

Method: \`bench/start.bench.ts\`. The daemon runs as \`aegis serve\` in a process of its own. ${RUNS} times each, alternating:
\`POST /v1/sessions\` without a prompt, timed from sending it to the session's \`status_changed\` → \`idle\` on a
\`/v1/events\` client (the session is then deleted); and the baseline (\`bench/raw-claude.ts\`), Claude Code
started in a window of a private tmux server (kept up by a placeholder window, as the daemon's is) with
the daemon's environment, timed from the \`new-window\` command to its screen parsing as the idle
prompt (read every 10 ms: the baseline's resolution). Both with the workdir already trusted in Claude's
config, and with the workspace-trust dialog shown, which Aegis answers itself and the baseline answers
the same way (Down, Enter) as soon as it sees it.

${LATENCY_TABLE}
${latencyRow('Aegis: create → idle, trusted workdir', samples.aegisTrusted)}
${latencyRow('Claude alone: start → idle screen, trusted workdir', samples.rawTrusted)}
${latencyRow('Aegis: create → idle, trust dialog answered', samples.aegisUntrusted)}
${latencyRow('Claude alone: start → idle screen, trust dialog answered', samples.rawUntrusted)}

Aegis / Claude alone (medians): ${trusted.toFixed(2)} trusted, ${untrusted.toFixed(2)} with the trust dialog.`);
    headline(
      { benchmark: 'start', measure: 'create → idle against Claude alone, trusted workdir', value: `${trusted.toFixed(2)} × (${summarize(samples.aegisTrusted).median.toFixed(0)} vs ${summarize(samples.rawTrusted).median.toFixed(0)} ms)` },
      { benchmark: 'start', measure: 'create → idle against Claude alone, trust dialog', value: `${untrusted.toFixed(2)} × (${summarize(samples.aegisUntrusted).median.toFixed(0)} vs ${summarize(samples.rawUntrusted).median.toFixed(0)} ms)` },
    );
  } finally {
    events.close();
    await raw.close();
    await t.close();
  }
});
