/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser tests: launched headless
 * with a fresh profile and nothing that talks to the network on its own, and pages watched for what
 * must never happen on the dashboard (a Content-Security-Policy violation, a console error, an
 * uncaught exception), so that a test can fail on any of them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** A new context (its own cookies) with one page, watched for problems. */
  open(options?: { width?: number; height?: number; isMobile?: boolean }): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** CSP violations, console errors and page errors seen so far, each said in one line. */
  problems: string[];
}

/** Launches Chromium, or fails saying which package provides it (the tests are never skipped). */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard's browser tests drive Debian's \`chromium\` package (apt-get install chromium; .ci/run installs it)`);
  }
  // Playwright passes a fresh --user-data-dir of its own (a temporary profile it removes on close),
  // so each test's contexts start with no cookies and no cache.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    async open({ width = 1280, height = 900, isMobile = false } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, isMobile, hasTouch: isMobile, deviceScaleFactor: isMobile ? 2 : 1 });
      const page = await context.newPage();
      return { context, page, problems: await watch(page) };
    },
    async close() {
      await browser.close();
    },
  };
}

async function watch(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.exposeBinding('__aegisReportViolation', (_source, text: string) => void problems.push(`CSP violation: ${text}`));
  // Init scripts are added by the browser's debugging protocol, which the page's CSP does not govern.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __aegisReportViolation: (text: string) => void }).__aegisReportViolation;
      report(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // A page that is not logged in asks whether it is and is answered 401, which Chromium logs as a
    // failed resource: that one answer is expected, any other error is a problem.
    if (/status of 401/.test(message.text()) && new URL(message.location().url || 'about:blank', 'http://x').pathname === '/v1/auth/session') return;
    problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}
