/**
 * The Dockerfile, read rather than built (no container engine runs where the tests do): it pins the
 * Claude Code the tests run, on a Node that Claude Code accepts, runs as an unprivileged user with
 * the state in a volume, checks health on /v1/health, and every file it copies from the build
 * context gets past .dockerignore.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments left out. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Whether .dockerignore lets `path` into the build context: the last pattern that matches decides. */
function inContext(path: string, ignoreFile: string): boolean {
  let included = true;
  for (const raw of ignoreFile.split('\n').map((line) => line.trim())) {
    if (raw === '' || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/\/$/, '');
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(.*/)?')}(/.*)?$`);
    if (regex.test(path)) included = negated;
  }
  return included;
}

describe('Dockerfile', () => {
  const steps = instructions(read('Dockerfile'));
  const runtime = steps.slice(steps.map((s) => s.keyword).lastIndexOf('FROM'));
  const arg = (name: string) => steps.find((s) => s.keyword === 'ARG' && s.args.startsWith(`${name}=`))?.args.split('=')[1];

  it('installs the Claude Code version package.json pins, on Node 22 or newer', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };
    expect(arg('CLAUDE_CODE_VERSION')).toBe(pkg.devDependencies['@anthropic-ai/claude-code']);
    expect(Number(/^node:(\d+)/.exec(arg('NODE_IMAGE') ?? '')?.[1])).toBeGreaterThanOrEqual(22);
    expect(runtime.some((s) => s.keyword === 'RUN' && s.args.includes('@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}'))).toBe(true);
    expect(runtime.some((s) => s.keyword === 'RUN' && /apt-get install .*\btmux\b/.test(s.args))).toBe(true);
  });

  it('runs as an unprivileged user, the state dir a volume, reachable only with a token, its health checked on /v1/health', () => {
    const user = runtime.filter((s) => s.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const env = runtime.filter((s) => s.keyword === 'ENV').map((s) => s.args).join(' ');
    const stateDir = /AEGIS_STATE_DIR=(\S+)/.exec(env)?.[1] ?? '';
    const volume = runtime.find((s) => s.keyword === 'VOLUME')?.args ?? '';
    const volumes = JSON.parse(volume) as string[];
    expect(volumes.some((v) => stateDir === v || stateDir.startsWith(`${v}/`))).toBe(true);
    // The daemon itself refuses a non-loopback address without AEGIS_AUTH_TOKEN (test/integration).
    expect(env).toMatch(/AEGIS_HOST=0\.0\.0\.0/);
    expect(env).not.toMatch(/AEGIS_AUTH_TOKEN/);
    expect(runtime.find((s) => s.keyword === 'HEALTHCHECK')?.args).toMatch(/\/v1\/health/);
  });

  it('copies only what .dockerignore lets into the build context, and keeps node_modules, dist and .git out', () => {
    const ignore = read('.dockerignore');
    const sources = steps
      .filter((s) => s.keyword === 'COPY' && !s.args.startsWith('--from'))
      .flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(inContext(source.replace(/^\.\//, ''), ignore), source).toBe(true);
    for (const kept of ['node_modules', 'dist', '.git', 'test/e2e/sessions.test.ts', 'src/http/app.test.ts']) expect(inContext(kept, ignore), kept).toBe(false);
  });
});
