/**
 * The dashboard's terminal: how long from a change in a pane to its text in the browser's terminal,
 * with ten viewers open, and what ten viewers cost the daemon while their sessions sit idle.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { it } from 'vitest';
import { launchBrowser } from '../test/support/browser.js';
import { waitFor } from '../test/support/wait-for.js';
import { cpuTable, measureCpu } from './process-cpu.js';
import { LATENCY_TABLE, latencyRow, record } from './report.js';
import { sessionsAtRest } from './sessions-at-rest.js';

const VIEWERS = 10;
const CHANGES = 100;
// Two windows of 20 s: with 60 the whole benchmark suite came within a minute of its 15-minute budget on
// one machine, with 30 it took 14.5 minutes on a slower one.
const CPU_SECONDS = 15;

/** The time (Date.now() in the page) at which the terminal first shows `marker`. */
function armWatch(page: Page, marker: string): Promise<void> {
  return page.evaluate((text) => {
    const rows = document.querySelector('.terminal .xterm-rows')!;
    const seen = new Promise<number>((resolve) => {
      const observer = new MutationObserver(() => {
        if (rows.textContent?.includes(text)) {
          observer.disconnect();
          resolve(Date.now());
        }
      });
      observer.observe(rows, { childList: true, subtree: true, characterData: true });
    });
    (window as unknown as { __seen: Promise<number> }).__seen = seen;
  }, marker);
}

const seenAt = (page: Page) => page.evaluate(() => (window as unknown as { __seen: Promise<number> }).__seen);

async function viewTerminal(page: Page, url: string, id: string): Promise<void> {
  await page.goto(`${url}/#/session/${id}`);
  await page.locator('.terminal .xterm-rows').waitFor();
  await waitFor(async () => ((await page.locator('.terminal .xterm-rows').textContent()) ?? '').trim().length > 0, { timeoutMs: 20_000, what: 'the first screen in the browser' });
}

it(`pane change to browser terminal with ${VIEWERS} viewers, and the daemon's CPU with ${VIEWERS} viewers of idle sessions`, async () => {
  const { t, ids, daemonPid, tmuxPid } = await sessionsAtRest(VIEWERS);
  const browser = await launchBrowser();
  try {
    const pages = await Promise.all(Array.from({ length: VIEWERS }, async () => (await browser.open({ width: 1000, height: 700 })).page));

    // Latency: every viewer watches the first session; its pane's tty is written to directly (what a
    // program in the pane printing a line amounts to), so the change's moment is known exactly.
    const first = (await t.api('GET', `/v1/sessions/${ids[0]}`)).body;
    const tty = execFileSync('tmux', ['-L', t.config.tmuxSocket, 'display-message', '-p', '-t', first.tmux.paneId, '#{pane_tty}']).toString().trim();
    for (const page of pages) await viewTerminal(page, t.url, ids[0]!);
    const any: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const marker = `dash-bench-${i}-${Date.now() % 100_000}`;
      await Promise.all(pages.map((page) => armWatch(page, marker)));
      const changedAt = Date.now();
      writeFileSync(tty, `\r\n${marker}`);
      const seen = await Promise.all(pages.map(seenAt));
      for (const at of seen) any.push(at - changedAt);
      all.push(Math.max(...seen) - changedAt);
    }

    // CPU: the sessions sit idle; a minute without a viewer, then a minute with one viewer on each.
    for (const page of pages) await page.goto('about:blank');
    const alone = await measureCpu('no viewer', daemonPid, tmuxPid, CPU_SECONDS);
    for (const [i, page] of pages.entries()) await viewTerminal(page, t.url, ids[i]!);
    const watched = await measureCpu(`${VIEWERS} viewers, one per session`, daemonPid, tmuxPid, CPU_SECONDS);

    record('dashboard', `## The dashboard's terminal: pane to browser, and ${VIEWERS} viewers at rest

Method: \`bench/dashboard.bench.ts\`. The daemon runs as \`aegis serve\` in a process of its own with ${VIEWERS} idle
sessions of the real Claude Code; ${VIEWERS} pages of headless Chromium (one browser, a context each) open the
dashboard. Latency: all ${VIEWERS} pages show the first session's terminal; ${CHANGES} times, a line with a new marker
is written to that pane's tty (as a program in the pane printing it), and each page records (a
\`MutationObserver\` on xterm's rows) when its terminal shows the marker, drawn; the next change waits for
all ${VIEWERS}. Times are the machine's clock in both processes.

${LATENCY_TABLE}
${latencyRow(`pane change → text in one viewer's terminal (${VIEWERS} viewers)`, any)}
${latencyRow(`pane change → text in all ${VIEWERS} viewers' terminals`, all)}

CPU: ${CPU_SECONDS} s with no page open on a terminal, then ${CPU_SECONDS} s with one page on each session's terminal
(the browser's own CPU is not counted: it is not Aegis's).

${cpuTable([alone, watched])}`);
  } finally {
    await browser.close();
    await t.close();
  }
});
