/**
 * The leak check (test/support/leak-check.ts) fails a file that leaves a timer, a server, a signal
 * listener, a child process or a tmux server behind, names what it left, and passes a file that ends
 * everything it starts, even without waiting for the ends. The fixtures run in a vitest of their own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_RUN } from '../support/tmux.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = 'test/lint/fixtures';

interface FileResult {
  name: string;
  status: string;
  message: string;
}

/** The environment without what this vitest tells its own workers, so the fixture run is a run of its own. */
const outsideVitest = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('VITEST')));

const dir = mkdtempSync(join(tmpdir(), 'aegis-leaks-'));
let results: Map<string, FileResult>;

/** Runs the fixture files in a vitest of their own; resolves with its JSON report and what it printed. */
async function runFixtures(mode: 'fail' | 'warn', files: string[] = []): Promise<{ results: Map<string, FileResult>; output: string }> {
  const report = join(dir, `report-${mode}.json`);
  const run = promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', `${FIXTURES}/vitest.config.ts`, '--reporter=json', '--reporter=default', `--outputFile.json=${report}`, ...files],
    // The run's mark, so the fixtures' tmux servers are this run's (and the global teardown's to reap).
    { cwd: ROOT, env: { ...outsideVitest(process.env), AEGIS_TEST_RUN: TEST_RUN, AEGIS_LEAK_CHECK: mode } },
  );
  // A run with a leaking file fails, as it should: the report says how.
  const { stdout, stderr } = await run.catch((err: { stdout: string; stderr: string }) => err);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { testResults: FileResult[] };
  return { results: new Map(json.testResults.map((r) => [r.name.slice(ROOT.length + 1), r])), output: stdout + stderr };
}

beforeAll(async () => {
  ({ results } = await runFixtures('fail'));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = (file: string) => {
  const found = results.get(`${FIXTURES}/${file}`);
  if (!found) throw new Error(`no result for ${file}; the fixture run reported ${[...results.keys()].join(', ')}`);
  return found;
};

describe('the leak check', () => {
  it('fails a file that leaves timers, and says where each was created, ref\'d or not', () => {
    const { status, message } = result('leaks-timers.fixture.ts');
    expect(status).toBe('failed');
    expect(message).toContain('leaks-timers.fixture.ts left 2 thing(s) behind');
    expect(message).toMatch(/setInterval\(…, 60000 ms\) \(unref'd\) created at test\/lint\/fixtures\/leaks-timers\.fixture\.ts:4/);
    expect(message).toMatch(/setTimeout\(…, 600000 ms\) created at test\/lint\/fixtures\/leaks-timers\.fixture\.ts:5/);
  });

  it('fails a file that leaves a server listening', () => {
    const { status, message } = result('leaks-server.fixture.ts');
    expect(status).toBe('failed');
    expect(message).toMatch(/1 × TCPServerWrap — server listening on .*127\.0\.0\.1/);
  });

  it('fails a file that leaves a SIGTERM listener', () => {
    const { status, message } = result('leaks-signal.fixture.ts');
    expect(status).toBe('failed');
    expect(message).toContain("process 'SIGTERM' listener stopOnSigterm");
  });

  it('fails a file that leaves a child process running, even one that holds no handle', () => {
    const { status, message } = result('leaks-child.fixture.ts');
    expect(status).toBe('failed');
    expect(message).toMatch(/child process \d+ still running: sleep 61/);
  });

  it('fails a file that leaves a tmux server of this run running', () => {
    const { status, message } = result('leaks-tmux.fixture.ts');
    expect(status).toBe('failed');
    expect(message).toMatch(new RegExp(`tmux server aegis-test-${TEST_RUN}-\\d+-[0-9a-f]+ still running \\(windows: left-behind:forgotten\\)`));
  });

  it('passes a file that ends what it starts, some of it without waiting for the end', () => {
    expect(result('clean.fixture.ts')).toMatchObject({ status: 'passed', message: '' });
  });

  it('only prints what leaked with AEGIS_LEAK_CHECK=warn', async () => {
    const { results, output } = await runFixtures('warn', [`${FIXTURES}/leaks-signal.fixture.ts`]);
    expect(results.get(`${FIXTURES}/leaks-signal.fixture.ts`)?.status).toBe('passed');
    expect(output).toContain("leaks-signal.fixture.ts left 1 thing(s) behind after its tests:\n  - process 'SIGTERM' listener stopOnSigterm");
  }, 60_000);
});
