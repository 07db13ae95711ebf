/**
 * What the dashboard's browser tests do on a page, said once: log in, wait for what a terminal or a
 * card shows, and take the screenshots of docs/images/ (only with AEGIS_SCREENSHOTS=1, so an ordinary
 * run leaves the tree as it was).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait-for.js';

const IMAGES = resolve(import.meta.dirname, '../../docs/images');

export async function logIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.locator('form.login #token').fill(token);
  await page.locator('form.login button[type=submit]').click();
  await page.locator('header.top').waitFor();
}

/** The text the browser's terminal shows (xterm's rows, as drawn). */
export async function terminalText(page: Page): Promise<string> {
  return (await page.locator('.terminal .xterm-rows').textContent()) ?? '';
}

export async function untilTerminalShows(page: Page, text: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await terminalText(page)).includes(text), { timeoutMs, what: `the browser's terminal to show ${JSON.stringify(text)}` });
}

/** The status a session's badge shows in the sessions view. */
export async function shownStatus(page: Page, sessionId: string): Promise<string | null> {
  // Read at once, without waiting for the element: it may be gone, and that is an answer too.
  return page.evaluate((id) => document.querySelector(`[data-session-id="${CSS.escape(id)}"] .badge`)?.getAttribute('data-status') ?? null, sessionId);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.AEGIS_SCREENSHOTS !== '1') return;
  mkdirSync(IMAGES, { recursive: true });
  await page.screenshot({ path: join(IMAGES, `${name}.png`) });
}
