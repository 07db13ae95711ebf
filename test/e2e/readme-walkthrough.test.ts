/**
 * The README's five-minute walkthrough, run as written against a live daemon with the real Claude
 * Code and the fake model API. The commands are read from the README's marked blocks, so the test
 * fails when the README goes stale. Only the address is changed (`localhost:9100` becomes the test
 * daemon's; the CLI finds it through AEGIS_PORT) and `npx aegis` runs this checkout's program. Each
 * line runs in one bash, as typed into a terminal; before a line a person would only type once they
 * saw something (a permission to look at, a turn to read), the test waits for that.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { defaultResponder, type FakeRequestInfo, type FakeTurn } from '../support/fake-anthropic.js';
import { waitFor } from '../support/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../..');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const REPLY = 'Done: hello.txt now says hi.';

/** The commands of the README block marked `<!-- walkthrough: name -->`, continuation lines joined, comments kept. */
function walkthrough(name: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- walkthrough: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (!block) throw new Error(`README.md has no \`\`\`sh block marked <!-- walkthrough: ${name} -->`);
  return block.replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

interface Step {
  code: number;
  stdout: string;
  stderr: string;
}

/** One bash, fed a line at a time like a terminal; each line's exit status and output are collected. */
class Terminal {
  private readonly shell: ChildProcess;
  private stdout = '';
  private stderr = '';
  private steps = 0;

  constructor(env: NodeJS.ProcessEnv) {
    this.shell = spawn('bash', ['--noprofile', '--norc'], { cwd: ROOT, env, stdio: 'pipe', detached: true });
    this.shell.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.shell.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  /** Everything printed so far, background jobs included. */
  get output(): string {
    return this.stdout;
  }

  async run(line: string): Promise<Step> {
    const marker = `__step_${++this.steps}__`;
    const [outFrom, errFrom] = [this.stdout.length, this.stderr.length];
    this.shell.stdin!.write(`${line}\nprintf '\\n${marker} %s\\n' "$?"; printf '\\n${marker}\\n' >&2\n`);
    const code = await waitFor(() => new RegExp(`\\n${marker} (\\d+)\\n`).exec(this.stdout)?.[1], { timeoutMs: 90_000, what: `the line ${line}` });
    await waitFor(() => this.stderr.includes(`\n${marker}\n`), { what: `the end of ${line}'s errors` });
    const cut = (text: string, from: number) => text.slice(from, text.indexOf(`\n${marker}`, from));
    return { code: Number(code), stdout: cut(this.stdout, outFrom), stderr: cut(this.stderr, errFrom) };
  }

  /** Ends the shell and whatever it left running in the background. */
  async close(): Promise<void> {
    const exited = new Promise((resolveExit) => this.shell.once('close', resolveExit));
    try {
      process.kill(-this.shell.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

describe("the README's walkthrough", () => {
  let t: TestDaemon;
  let scratch: string;
  let terminal: Terminal;
  beforeAll(async () => {
    try {
      execFileSync('jq', ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error("the README's curl walkthrough needs jq: install it (Debian: apt-get install jq; .ci/run does when it is missing)");
    }
    t = await startTestDaemon({ claude: true });
    // Claude is asked to write a file: it asks to run echo, then says it is done.
    t.fake!.setResponder((req: FakeRequestInfo): FakeTurn => {
      if (!req.isMain) return defaultResponder(req);
      if (req.toolResults.length > 0) return { text: REPLY };
      if (req.lastUserText.includes('hello.txt')) return { toolUse: { name: 'Bash', input: { command: 'echo hi > hello.txt', description: 'Write hi into hello.txt' } } };
      return defaultResponder(req);
    });
    scratch = mkdtempSync(join(tmpdir(), 'aegis-walkthrough-'));
    terminal = new Terminal({ PATH: process.env.PATH, HOME: scratch, LANG: 'C.UTF-8', TMPDIR: scratch, AEGIS_PORT: String(t.daemon.port), AEGIS_HOST: '127.0.0.1' });
    // `npx aegis` as in this checkout (no download, no lookup): the program npx would run here.
    await terminal.run(`npx() { if [ "$1" = aegis ]; then shift; '${process.execPath}' '${join(ROOT, 'bin/aegis.js')}' "$@"; else command npx "$@"; fi; }`);
  });
  afterEach(async () => {
    // A walkthrough that failed half way leaves its session: the next one starts from none.
    for (const s of (await t.api('GET', '/v1/sessions')).body.sessions as Array<{ id: string }>) await t.api('DELETE', `/v1/sessions/${s.id}`);
  });
  afterAll(async () => {
    await terminal?.close();
    await t?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** The session the walkthrough started (the newest one still running). */
  const session = async () => {
    const sessions = (await t.api('GET', '/v1/sessions')).body.sessions as Array<{ id: string; status: string; createdAt: string }>;
    return sessions.filter((s) => s.status !== 'exited').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  };
  const untilPending = () => waitFor(async () => {
    const s = await session();
    return s && ((await t.api('GET', `/v1/sessions/${s.id}/permissions`)).body.pending as unknown[]).length > 0;
  }, { timeoutMs: 30_000, what: 'Claude to ask for its permission' });
  const untilIdle = () => waitFor(async () => (await session())?.status === 'idle', { timeoutMs: 30_000, what: 'the turn to end' });

  /** Runs each line as written, with this daemon's address; `before` waits for what a person would see first. */
  const follow = async (lines: string[], before: (line: string) => Promise<unknown> = async () => {}) => {
    const steps: Array<Step & { line: string }> = [];
    for (const line of lines) {
      await before(line);
      const step = await terminal.run(line.replaceAll('localhost:9100', `127.0.0.1:${t.daemon.port}`));
      expect(step, `README line: ${line}`).toMatchObject({ code: 0 });
      steps.push({ line, ...step });
    }
    const find = (pattern: RegExp) => {
      const step = steps.find((s) => pattern.test(s.line));
      if (!step) throw new Error(`the walkthrough has no line matching ${pattern}`);
      return step;
    };
    const shellVariable = async (name: string) => (await terminal.run(`printf "%s" "$${name}"`)).stdout;
    return { find, demo: await shellVariable('demo'), id: await shellVariable('id') };
  };

  it('with the CLI: create, permissions, approve, watch, read, kill', async () => {
    const { find, demo, id } = await follow(walkthrough('cli'), async (line) => {
      if (/aegis permissions/.test(line)) await untilPending();
    });
    expect(id).toMatch(new RegExp(`^${UUID.source}$`));
    expect(find(/aegis create/).stderr).toContain('prompt delivered');
    expect(find(/aegis permissions/).stdout).toContain('Bash echo hi > hello.txt (from the hook)');
    expect(find(/aegis approve/).stdout).toMatch(/^approved Bash echo hi > hello.txt \(/);
    expect(find(/aegis watch .*--until idle/).stderr).toContain('session is idle');
    expect(find(/aegis read/).stdout).toContain(REPLY);
    expect(find(/aegis kill/).stdout).toMatch(/^killed [0-9a-f]{8} /);
    expect(readFileSync(join(demo, 'hello.txt'), 'utf8')).toBe('hi\n');
    expect(await session()).toBeUndefined();
  });

  it('with curl: create, events, permissions, approve, read, delete', async () => {
    const { find, demo, id } = await follow(walkthrough('curl'), async (line) => {
      if (/\/permissions/.test(line)) await untilPending();
      if (/\/read/.test(line)) await untilIdle();
    });
    expect(id).toMatch(new RegExp(`^${UUID.source}$`));
    expect(find(/\/permissions/).stdout).toContain('"command": "echo hi > hello.txt"');
    expect(find(/\/approve/).stdout).toContain('"approved":true');
    expect(find(/\/read/).stdout).toContain(`assistant text: ${REPLY}`);
    expect(find(/DELETE/).stdout).toContain('"status": "exited"');
    // The events followed in the background showed the request and the turn.
    expect(terminal.output).toMatch(/^event: permission_request$/m);
    expect(terminal.output).toMatch(/^event: status_changed$/m);
    expect(readFileSync(join(demo, 'hello.txt'), 'utf8')).toBe('hi\n');
    expect(await session()).toBeUndefined();
  });
});
