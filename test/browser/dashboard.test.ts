/**
 * The dashboard in real Chromium against a live daemon running the real Claude Code (the fake model
 * API scripted by what is typed, test/support/fake-directives.ts): log in with a key; a session
 * appears and changes status without a reload; the terminal shows Claude's reply; a Bash permission
 * approved by a click runs; a question is answered by a tap; a 375 px phone does the same from the
 * list of everything pending; "Take over" types into the pane. Every page is watched, and any CSP
 * violation, console error or page error fails its test. Two Claude sessions in all, to stay fast.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser, type WatchedPage } from '../support/browser.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClaudeCommand, fakeClaudeLog, submitted } from '../support/fake-claude.js';
import { waitFor } from '../support/wait-for.js';
import { logIn, screenshot, shownStatus, terminalText, untilTerminalShows } from './dashboard-page.js';

const MASTER = 'dashboard-master-token-0123456789abcdef';
const CLAUDE_MS = 30_000;

describe('the dashboard with the real Claude Code', () => {
  let t: TestDaemon;
  let browser: TestBrowser;
  let operatorKey: string;
  let viewerKey: string;
  const pages: WatchedPage[] = [];
  const asOperator = (method: string, path: string, body?: unknown) => t.api(method, path, body, { authorization: `Bearer ${operatorKey}` });
  const session = async (id: string) => (await asOperator('GET', `/v1/sessions/${id}`)).body;
  /** A message sent while Claude still works on a turn would wait for it: each send starts from idle. */
  const untilIdle = (id: string) => waitFor(async () => (await session(id)).status === 'idle', { timeoutMs: CLAUDE_MS, what: 'the session to finish its turn' });
  const open = async (options?: Parameters<TestBrowser['open']>[0]) => {
    const watched = await browser.open(options);
    pages.push(watched);
    return watched;
  };

  beforeAll(async () => {
    t = await startTestDaemon({ claude: true, config: { authToken: MASTER } });
    browser = await launchBrowser();
    const master = { authorization: `Bearer ${MASTER}` };
    operatorKey = (await t.api('POST', '/v1/auth/keys', { name: 'dashboard-operator', role: 'operator' }, master)).body.key;
    viewerKey = (await t.api('POST', '/v1/auth/keys', { name: 'dashboard-viewer', role: 'viewer' }, master)).body.key;
    expect(operatorKey).toEqual(expect.any(String));
    expect(viewerKey).toEqual(expect.any(String));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  let sessionId: string;
  let workDir: string;

  it('logs in with a key, shows a new session live, its terminal, and decides a permission and a question by clicks', async () => {
    const { page, problems } = await open({ width: 1600, height: 1000 });
    await logIn(page, t.url, operatorKey);
    await expect(page.locator('header.top .who').textContent()).resolves.toBe('dashboard-operator');

    // The session is started elsewhere: the open page learns of it and of its status from the events.
    workDir = t.workDir('desk');
    const created = await asOperator('POST', '/v1/sessions', { workDir, name: 'desk' });
    expect(created.status).toBe(201);
    sessionId = created.body.id;
    await waitFor(() => shownStatus(page, sessionId), { what: 'the new session in the list' });
    await waitFor(async () => (await shownStatus(page, sessionId)) === 'idle', { timeoutMs: CLAUDE_MS, what: 'the listed session to become idle' });

    await page.locator(`[data-session-id="${sessionId}"] a.session-link`).click();
    await page.locator('.terminal .xterm-rows').waitFor();
    await page.locator('form.send textarea').fill('hello from the dashboard');
    await page.locator('form.send button').click();
    await untilTerminalShows(page, 'ACK 24 chars: hello from the dashboard');
    await untilIdle(sessionId);

    await page.locator('form.send textarea').fill('please [[bash: echo approved-by-click > out.txt]]');
    await page.locator('form.send button').click();
    const card = page.locator('.pending-area .card.is-permission');
    await card.waitFor({ timeout: CLAUDE_MS });
    await expect(card.locator('pre.command').textContent()).resolves.toBe('echo approved-by-click > out.txt');
    // Another tab's sessions view shows the session waiting, without a reload.
    const list = await open({ width: 1280, height: 560 });
    await logIn(list.page, t.url, operatorKey);
    await waitFor(async () => (await shownStatus(list.page, sessionId)) === 'permission_prompt', { what: 'the waiting session in another tab' });
    await list.page.locator(`[data-session-id="${sessionId}"].needs-you .pending-note`).waitFor();
    await screenshot(list.page, 'dashboard-sessions');
    expect(list.problems).toEqual([]);
    await list.context.close();
    await card.locator('button.approve').click();
    await waitFor(() => existsSync(join(workDir, 'out.txt')) && readFileSync(join(workDir, 'out.txt'), 'utf8') === 'approved-by-click\n', { timeoutMs: CLAUDE_MS, what: 'the approved command to write out.txt' });
    await untilTerminalShows(page, 'tool result');
    await untilIdle(sessionId);

    await page.locator('form.send textarea').fill('[[ask: Which colour?|Red|Blue]]');
    await page.locator('form.send button').click();
    const question = page.locator('.pending-area .card.is-question');
    await question.waitFor({ timeout: CLAUDE_MS });
    await question.getByRole('button', { name: 'Blue' }).click();
    await waitFor(async () => (await session(sessionId)).status === 'idle', { timeoutMs: CLAUDE_MS, what: 'the question to be answered' });
    const answered = (await asOperator('GET', `/v1/sessions/${sessionId}/read`)).body.messages as Array<{ kind: string; text: string }>;
    expect(answered.some((m) => m.kind === 'tool_result' && m.text.includes('Blue'))).toBe(true);
    await waitFor(async () => (await page.locator('.pending-area .card').count()) === 0, { what: 'the answered question card to go' });
    await page.locator('.transcript .message.tool').first().waitFor();
    await screenshot(page, 'dashboard-session');

    await page.goto(`${t.url}/#/spend`);
    await page.locator('.spend-table tfoot').waitFor();
    expect(await page.locator('.spend-table tbody tr').count()).toBe(1);
    await page.goto(`${t.url}/#/`);
    await waitFor(async () => (await shownStatus(page, sessionId)) === 'idle', { what: 'the sessions view after navigating' });
    expect(problems).toEqual([]);
  }, 180_000);

  it('on a 375 px phone, approves from the list of everything pending, answers a question, rejects a Write, takes over the terminal and kills the session', async () => {
    const { page, problems } = await open({ width: 375, height: 740, isMobile: true });
    await logIn(page, t.url, operatorKey);
    // A reloaded page still decides: it keeps the login's CSRF token, which the daemon gives only at login.
    await page.reload();
    await page.locator('header.top').waitFor();
    await page.goto(`${t.url}/#/approvals`);
    await page.getByText('Nothing waits for a decision.').waitFor();

    await asOperator('POST', `/v1/sessions/${sessionId}/send`, { text: 'please [[bash: echo from-the-phone > phone.txt]]' });
    const card = page.locator('.approval-list .card.is-permission');
    await card.waitFor({ timeout: CLAUDE_MS });
    await expect(page.locator('header.top .count').textContent()).resolves.toBe('1');
    await screenshot(page, 'dashboard-approval-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await card.locator('button.approve').tap();
    await waitFor(() => existsSync(join(workDir, 'phone.txt')), { timeoutMs: CLAUDE_MS, what: 'the command approved on the phone to run' });

    await waitFor(async () => (await session(sessionId)).status === 'idle', { timeoutMs: CLAUDE_MS, what: 'the session to finish its turn' });
    await asOperator('POST', `/v1/sessions/${sessionId}/send`, { text: '[[ask: Ship it?|Yes|No]]' });
    const question = page.locator('.approval-list .card.is-question');
    await question.waitFor({ timeout: CLAUDE_MS });
    await question.getByRole('button', { name: 'Yes' }).tap();
    await waitFor(async () => (await session(sessionId)).pendingQuestion === null, { timeoutMs: CLAUDE_MS, what: 'the question tapped on the phone to be answered' });
    await waitFor(async () => (await session(sessionId)).status === 'idle', { timeoutMs: CLAUDE_MS, what: 'the session to finish its turn' });

    // A Write shows as a diff, and is rejected with a message.
    await asOperator('POST', `/v1/sessions/${sessionId}/send`, { text: 'please [[write: notes.txt]]' });
    const write = page.locator('.approval-list .card.is-permission');
    await write.waitFor({ timeout: CLAUDE_MS });
    await expect(write.locator('.diff .add').first().textContent()).resolves.toBe('+ written by the model\n');
    await write.locator('input.reject-message').fill('not on a phone');
    await write.locator('button.reject').tap();
    await waitFor(async () => (await session(sessionId)).status === 'idle', { timeoutMs: CLAUDE_MS, what: 'the session to go on after the rejection' });
    expect(existsSync(join(workDir, 'notes.txt'))).toBe(false);
    const rejected = (await asOperator('GET', `/v1/sessions/${sessionId}/read`)).body.messages as Array<{ kind: string; text: string }>;
    expect(rejected.some((m) => m.kind === 'tool_result' && m.text.includes('not on a phone'))).toBe(true);

    // Take over: what is typed in the browser's terminal reaches the pane, and is typed away again.
    await page.goto(`${t.url}/#/session/${sessionId}`);
    await page.locator('.terminal .xterm-rows').waitFor();
    let inputsSent = 0;
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.endsWith('/input') && response.ok()) inputsSent++;
    });
    await page.locator('button.take-over').tap();
    await page.keyboard.type('typed in the browser');
    await waitFor(async () => (await asOperator('GET', `/v1/sessions/${sessionId}/pane`)).body.text.includes('typed in the browser'), { what: 'the typed keys in the pane' });
    await untilTerminalShows(page, 'typed in the browser');
    for (let i = 0; i < 'typed in the browser'.length; i++) await page.keyboard.press('Backspace');
    // Each key is its own request, in order: all of them are through before the session is killed.
    await waitFor(() => inputsSent === 2 * 'typed in the browser'.length, { what: 'every key typed in the browser to be sent' });
    await waitFor(async () => !(await terminalText(page)).includes('typed in'), { what: 'the typed keys to be erased' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // Kill, confirmed in the browser's dialog: the session ends and, deleted, leaves the list.
    await page.goto(`${t.url}/#/`);
    page.once('dialog', (dialog) => {
      dialog.accept().catch(() => {});
    });
    await page.locator(`[data-session-id="${sessionId}"]`).getByRole('button', { name: 'Kill' }).tap();
    await waitFor(async () => (await shownStatus(page, sessionId)) === null, { timeoutMs: CLAUDE_MS, what: 'the killed session to leave the list' });
    expect((await asOperator('GET', `/v1/sessions/${sessionId}`)).status).toBe(404);
    await page.getByText('No sessions yet.').waitFor();
    expect(problems).toEqual([]);
  }, 180_000);

  it('shows a viewer key what it may see and no button it may not press, and logs out', async () => {
    const { page, problems } = await open();
    await logIn(page, t.url, viewerKey);
    await page.locator('.session-list').waitFor();
    expect(await page.locator('form.create').count()).toBe(0);
    expect(await page.locator('.session-list button').count()).toBe(0);
    await page.locator('button.logout').click();
    await page.locator('form.login').waitFor();
    await page.reload();
    await page.locator('form.login').waitFor();
    expect(problems).toEqual([]);
  });

  it('asks for a login again when the page no longer holds the CSRF token its cookie was given with', async () => {
    const { page, problems } = await open();
    await logIn(page, t.url, operatorKey);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('form.login').waitFor();
    await logIn(page, t.url, operatorKey);
    expect(await page.locator('form.create').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('refuses a wrong token at the login form', async () => {
    const { page, problems } = await open();
    await page.goto(`${t.url}/`);
    await page.locator('form.login #token').fill('not-a-key');
    await page.locator('form.login button[type=submit]').click();
    await page.locator('form.login .error').filter({ hasText: /.+/ }).waitFor();
    expect(await page.locator('header.top').count()).toBe(0);
    // The refused login is the page's 401 answer, which Chromium logs as a failed resource; nothing else.
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
  });
});

describe('the dashboard of a token-less loopback daemon', () => {
  let t: TestDaemon;
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await startTestDaemon({ config: { claudeCommand: fakeClaudeCommand(), permissionProfiles: { ci: { rules: [{ tool: 'Read', decision: 'allow' }] } } } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('opens without a login, offers no logout, and starts a session from its form', async () => {
    const { page, problems } = await browser.open();
    await page.goto(`${t.url}/`);
    await page.locator('.session-list').waitFor();
    // With no session yet, the form to start one is open.
    await page.locator('details.create[open] form.create').waitFor();
    expect(await page.locator('form.login').count()).toBe(0);
    expect(await page.locator('button.logout').count()).toBe(0);

    // The form starts a session with its prompt, and the page goes to it.
    const workDir = t.workDir('from-the-form');
    await page.getByLabel('Work dir').fill(workDir);
    await page.getByLabel('Prompt').fill('hello from the form');
    await page.getByLabel('Name', { exact: true }).fill('from-the-form');
    await page.getByLabel('Permission mode').selectOption('acceptEdits');
    await page.getByLabel('Permission profile').fill('ci');
    await page.getByRole('button', { name: 'Start session' }).click();
    await page.locator('.session-head h2').filter({ hasText: 'from-the-form' }).waitFor({ timeout: 30_000 });
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    const created = (await t.api('GET', `/v1/sessions/${id}`)).body;
    expect(created).toMatchObject({ name: 'from-the-form', workDir, permissionMode: 'acceptEdits', permissionProfile: 'ci' });
    expect(submitted(fakeClaudeLog(workDir, id))).toContain('hello from the form');
    expect(problems).toEqual([]);
  });
});
