/**
 * The screen parser on live screens of the Claude Code under test (the pinned one, or the candidate
 * named by AEGIS_TEST_CLAUDE_BIN): idle, working, a permission, a question, the trust and API-key
 * dialogs, an API error being retried and given up. The fixtures in test/fixtures/screens are captures
 * of the pinned version; with AEGIS_SCREEN_CAPTURE_DIR set, each screen seen here is written there as
 * `<fixture name>.txt`, which is how fixtures are re-captured when the pin moves.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScreen, type ScreenState } from '../../src/claude/screen.js';
import { startClaudePanes, type ClaudePanes } from '../support/claude-pane.js';
import { fakeFailures, startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { waitFor } from '../support/wait-for.js';

const CAPTURE_DIR = process.env.AEGIS_SCREEN_CAPTURE_DIR;

describe('the screen parser on screens of the Claude Code under test', () => {
  let fake: FakeAnthropic;
  let panes: ClaudePanes;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    panes = startClaudePanes(fake);
    if (CAPTURE_DIR) mkdirSync(CAPTURE_DIR, { recursive: true });
  });
  afterAll(async () => {
    await panes?.close();
    await fake?.close();
  });

  /**
   * Waits until the parser reads the pane as `kind`; fails with the last screen if it never does. The
   * screen is saved as the named fixture when capturing.
   */
  async function screenOf(pane: string, fixture: string | null, kind: ScreenState['kind'], timeoutMs = 20_000): Promise<ScreenState> {
    let last = '';
    try {
      return await waitFor(() => {
        last = panes.capture(pane);
        const state = parseScreen(last);
        return state.kind === kind ? state : undefined;
      }, { timeoutMs, intervalMs: 100, what: `the ${fixture ?? kind} screen` });
    } catch {
      throw new Error(`expected the ${fixture ?? kind} screen to read as ${kind}, it reads as ${parseScreen(last).kind}:\n${last}`);
    } finally {
      if (CAPTURE_DIR && fixture && last) writeFileSync(join(CAPTURE_DIR, `${fixture}.txt`), last);
    }
  }
  /** Types a prompt once the idle prompt box is there, and presses Enter once the box shows it. */
  async function submit(pane: string, text: string): Promise<void> {
    await screenOf(pane, null, 'idle');
    panes.type(pane, text);
    await waitFor(() => {
      const state = parseScreen(panes.capture(pane));
      return state.kind === 'idle' && state.input === text;
    }, { what: `"${text}" in the prompt box` });
    panes.press(pane, 'Enter');
  }

  it('reads start-up, a turn in progress and the end of the turn', async () => {
    const pane = panes.open();
    expect(await screenOf(pane, 'startup-idle', 'idle')).toEqual({ kind: 'idle', input: '' });
    await submit(pane, '[[hang]]');
    await screenOf(pane, 'working', 'working');
    await waitFor(() => fake.holding() === 1, { what: 'the reply to be held' });
    fake.release();
    await waitFor(() => panes.capture(pane).includes('This reply was held open and then released.'), { what: 'the reply' });
    expect(await screenOf(pane, 'after-turn-idle', 'idle')).toEqual({ kind: 'idle', input: '' });
  });

  it('reads a Bash permission dialog with its command and options', async () => {
    const pane = panes.open();
    await submit(pane, '[[bash: echo hi > out.txt && cat out.txt]]');
    const state = await screenOf(pane, 'permission-bash', 'permission');
    expect(state).toMatchObject({ title: 'Bash command', question: 'Do you want to proceed?' });
    if (state.kind !== 'permission') return;
    expect(state.detail).toContain('echo hi > out.txt && cat out.txt');
    expect(state.options[0]).toMatchObject({ index: 1, label: 'Yes', selected: true });
    expect(state.options.at(-1)!.label).toBe('No');
    panes.press(pane, 'Escape');
  });

  it('reads a question with its options and their descriptions', async () => {
    const pane = panes.open();
    await submit(pane, '[[ask: Which database should I use?|SQLite|Postgres]]');
    const state = await screenOf(pane, 'question', 'question');
    expect(state).toMatchObject({ header: 'Question', question: 'Which database should I use?' });
    if (state.kind !== 'question') return;
    expect(state.options.slice(0, 2)).toEqual([
      { index: 1, label: 'SQLite', description: 'Pick SQLite', selected: true },
      { index: 2, label: 'Postgres', description: 'Pick Postgres', selected: false },
    ]);
    panes.press(pane, 'Escape');
  });

  it('reads the workspace trust dialog and the API-key dialog', async () => {
    await screenOf(panes.open({ trusted: false }), 'trust-dialog', 'trust_dialog');
    await screenOf(panes.open({ keyApproved: false }), 'api-key-dialog', 'api_key_dialog');
  });

  it('reads an API error being retried as working, and given up as idle', async () => {
    const pane = panes.open({ env: { CLAUDE_CODE_MAX_RETRIES: '1' } });
    await screenOf(pane, 'startup-idle', 'idle');
    fake.failNext(2, fakeFailures.overloaded({ retryAfterSeconds: 4 }));
    await submit(pane, 'overloaded?');
    await waitFor(() => /retrying in \d+s · attempt 1\/1/.test(panes.capture(pane)), { what: 'the retry notice' });
    await screenOf(pane, 'api-retrying', 'working');
    await waitFor(() => panes.capture(pane).includes('API Error: 529'), { timeoutMs: 20_000, what: 'the API error' });
    await screenOf(pane, 'api-error', 'idle');
  });
});
