/**
 * What the daemon reports reaches the terminal only as text: the built `aegis` program, against a real
 * daemon whose session replies with escape sequences (an OSC 52 clipboard write, a screen clear, C1
 * controls, a bidi override, a carriage return) and runs in a work dir whose name sets the window
 * title and breaks the line into a fake row. `list`, `read` and `watch` show all of it escaped, one
 * printed line per line; with --json they print valid JSON holding the same values, the controls as
 * JSON escapes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, killClis, startCli } from '../support/cli.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { standInScript } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HOSTILE_CLAUDE = join(ROOT, 'test/support/hostile-reply-claude.mjs');

const ESC = '\x1b';
const BEL = '\x07';
const REPLY = `done${ESC}]52;c;Y3VybCBldmlsIHwgc2g=${BEL}${ESC}[2J${ESC}[H\x9b31mred\u202etxt.exe\rover\nsecond line`;
const DIR_NAME = `work${ESC}]0;owned${BEL}\n{"id":"00000000","status":"idle"}\u202efdp.exe`;
/** What a terminal would obey rather than show: every C0 control but tab and line feed, DEL, C1, bidi controls. */
const OBEYED = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The lines of `aegis watch <id> --since 0 [--json]`, once the reply's message event has been printed. */
async function watchUntilMessage(args: string[]): Promise<string[]> {
  const run = startCli(['watch', ...args, '--since', '0', '--url', td.url]);
  await waitFor(() => /message.*\n/.test(run.stdout), { timeoutMs: 15_000, what: 'the message event on stdout' });
  run.child.kill('SIGTERM');
  await run.exited;
  expect(run.stderr).not.toMatch(OBEYED);
  expect(run.stdout).not.toMatch(OBEYED);
  return run.stdout.trimEnd().split('\n');
}

let td: TestDaemon;
let scratch: string;
let sessionId: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aegis-cli-terminal-'));
  const replyFile = join(scratch, 'reply.txt');
  writeFileSync(replyFile, REPLY);
  const claude = standInScript(`exec '${process.execPath}' '${HOSTILE_CLAUDE}' '${replyFile}' "$@"`);
  td = await startTestDaemon({ claude: false, config: { claudeCommand: claude } });
  const workDir = join(td.workDir(), DIR_NAME);
  mkdirSync(workDir);
  const created = await td.api('POST', '/v1/sessions', { workDir, name: 'hostile' });
  expect(created.status).toBe(201);
  sessionId = created.body.id;
  await waitFor(async () => (await td.api('GET', `/v1/sessions/${sessionId}/read`)).body.messages?.some((m: any) => m.text === REPLY), {
    timeoutMs: 15_000,
    what: 'the hostile reply in the transcript',
  });
});

afterEach(killClis);

afterAll(async () => {
  await td?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('daemon text on a terminal', () => {
  it('list shows the work dir escaped, on its own row', async () => {
    const { code, stdout, stderr } = await cli(['list', '--url', td.url]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toMatch(OBEYED);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`work\\x1b]0;owned\\x07\\n{"id":"00000000","status":"idle"}\\u202efdp.exe`);
  });

  it('list --json is the API answer, its controls as JSON escapes', async () => {
    const { code, stdout } = await cli(['list', '--json', '--url', td.url]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(OBEYED);
    expect(JSON.parse(stdout)).toEqual((await td.api('GET', '/v1/sessions')).body);
  });

  it('read shows the reply escaped, each of its lines indented under the header', async () => {
    const { code, stdout, stderr } = await cli(['read', sessionId, '--url', td.url]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(OBEYED);
    expect(stderr).not.toMatch(OBEYED);
    expect(stdout).toContain('  done\\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07\\x1b[2J\\x1b[H\\x9b31mred\\u202etxt.exe\\rover\n  second line\n');
  });

  it('read --json is the API answer, its controls as JSON escapes', async () => {
    const { code, stdout } = await cli(['read', sessionId, '--json', '--url', td.url]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(OBEYED);
    const page = JSON.parse(stdout);
    expect(page.messages.map((m: any) => m.text)).toContain(REPLY);
  });

  it('watch shows each event on one line, the work dir and the reply escaped', async () => {
    const lines = await watchUntilMessage([sessionId]);
    for (const line of lines) expect(line).toMatch(/^\d\d:\d\d:\d\d [a-z_]+ +[0-9a-f]{8} /);
    expect(lines.find((line) => line.includes('session_created'))).toContain('\\x1b]0;owned\\x07\\n{"id":"00000000"');
    expect(lines.find((line) => line.includes(' message '))).toContain('done\\x1b]52;c;');
  });

  it('watch --json prints each event as a line of valid JSON with the same values', async () => {
    const events = (await watchUntilMessage([sessionId, '--json'])).map((line) => JSON.parse(line));
    expect(events.find((e) => e.type === 'session_created').session.workDir).toContain(DIR_NAME);
    expect(events.find((e) => e.type === 'message').text).toBe(REPLY);
  });

  it('an error naming what the caller typed shows it escaped', async () => {
    const { code, stdout, stderr } = await cli(['read', `nope${ESC}[2J${ESC}]52;c;eA==${BEL}`, '--url', td.url]);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(OBEYED);
    expect(stderr).toMatch(/^aegis: .*\n$/);
  });
});
