#!/usr/bin/env node
// Checks Aegis against another Claude Code version before the pin moves:
//   npm run check:claude -- <version> [--baseline] [--keep] [--bin <path to claude>]
// Installs @anthropic-ai/claude-code@<version> into a temporary directory and runs the end-to-end tests
// with it (AEGIS_TEST_CLAUDE_BIN), one file at a time. Among them, test/e2e/screens.test.ts re-captures
// the key screens from that version and runs the screen parser over them; the captures are written to a
// directory that is kept, to compare with (or replace) test/fixtures/screens. Prints what broke; with
// --baseline it runs the same with the pinned version first and names only what breaks with the
// candidate. Exits 1 when something broke. Plain ESM, so it runs on Node 20 as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = '@anthropic-ai/claude-code';
const PINNED_BIN = join(ROOT, 'node_modules/.bin/claude');

function usage(message) {
  console.error(`${message}\nusage: npm run check:claude -- <version> [--baseline] [--keep] [--bin <path to claude>]`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { version: null, baseline: false, keep: false, bin: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--baseline') options.baseline = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--bin') options.bin = argv[++i] ?? usage('--bin needs a path');
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else if (options.version) usage('one version only');
    else options.version = arg;
  }
  if (!options.version && !options.bin) usage('which version?');
  // A version or dist-tag is passed to npm as part of a package spec: allow nothing that could be more.
  if (options.version && !/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(options.version)) usage(`not a version: ${options.version}`);
  return options;
}

function run(command, args, { env = {}, capture = false } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
  });
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '', seconds: Math.round((Date.now() - started) / 1000) };
}

function install(version, dir) {
  console.log(`installing ${PACKAGE}@${version} into ${dir} ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = run(npm, ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${PACKAGE}@${version}`], { capture: true });
  if (result.status !== 0) {
    console.error(result.stderr);
    throw new Error(`npm install of ${PACKAGE}@${version} failed`);
  }
  return { bin: join(dir, 'node_modules/.bin/claude'), seconds: result.seconds };
}

/** Runs vitest on the given files, one file at a time, and returns its JSON report. */
function vitest(files, env, reportFile) {
  run(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files, '--no-file-parallelism',
    '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`], { env });
  if (!existsSync(reportFile)) return { files: [], broken: `vitest wrote no report (${reportFile})` };
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const results = [];
  for (const file of report.testResults ?? []) {
    const name = relative(ROOT, file.name);
    if (file.status === 'failed' && (file.assertionResults ?? []).every((t) => t.status !== 'failed')) {
      results.push({ file: name, title: '(the file itself)', status: 'failed', message: firstLine(file.message) });
    }
    for (const test of file.assertionResults ?? []) {
      results.push({ file: name, title: test.fullName, status: test.status, message: firstLine((test.failureMessages ?? [])[0]) });
    }
  }
  return { files: results };
}

function firstLine(text) {
  const plain = String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  return plain.split('\n').find((line) => line.trim())?.trim().slice(0, 240) ?? '';
}

/** The end-to-end tests (the live screen test among them) with one Claude binary. */
function check(label, bin, workDir) {
  const screens = mkdtempSync(join(tmpdir(), `aegis-screens-${label}-`));
  const env = { AEGIS_TEST_CLAUDE_BIN: bin, AEGIS_SCREEN_CAPTURE_DIR: screens };
  const version = run(bin, ['--version'], { capture: true }).stdout.trim() || '(no version printed)';
  console.log(`\n=== ${label}: ${bin} → ${version}`);
  const e2e = vitest(['test/e2e'], env, join(workDir, `${label}-e2e.json`));
  return { label, version, screens, results: e2e.files, broken: e2e.broken };
}

/** A screen without what differs between any two runs: paths, ports, versions, clocks, spinner words, the logo. */
function normalizeScreen(text) {
  return text
    .replace(/[\u2580-\u259f]/g, '')
    .replace(/\/tmp\/aegis-panes-[A-Za-z0-9]+\/pane-\d+/g, '<dir>')
    .replace(/127\.0\.0\.1:\d+/g, '<host>')
    .replace(/v\d+\.\d+\.\d+/g, 'v<version>')
    .replace(/\d{1,2}:\d{2} [AP]M/g, '<time>')
    .replace(/\b\d+(\.\d+)?s\b/g, '<n>s')
    .replace(/↓ \d+ tokens/g, '↓ <n> tokens')
    .replace(/^(\s*)\S (\S+)(…| for ).*$/gm, '$1* <verb>$3')
    .replace(/^[^\w<]+(?=<dir>|Claude Code|Opus)/gm, '')
    .replace(/^(\s*)● /gm, '$1') // blinks while a tool call waits
    .split('\n').map((line) => line.trim().replace(/ {2,}/g, ' ')).filter(Boolean)
    .join('\n');
}

/** The captured screens that read differently from one version to the other, with their first differing line. */
function compareScreens(before, after) {
  const changed = [];
  for (const name of readdirSync(after.screens).filter((f) => f.endsWith('.txt')).sort()) {
    const other = join(before.screens, name);
    if (!existsSync(other)) continue;
    const a = normalizeScreen(readFileSync(other, 'utf8')).split('\n');
    const b = normalizeScreen(readFileSync(join(after.screens, name), 'utf8')).split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    if (at !== -1 || a.length !== b.length) {
      const i = at === -1 ? Math.min(a.length, b.length) : at;
      changed.push(`${name}: "${(a[i] ?? '').trim()}" → "${(b[i] ?? '').trim()}"`);
    }
  }
  return changed;
}

function summarize(candidate, baseline) {
  const failed = (c) => c.results.filter((r) => r.status === 'failed');
  const key = (r) => `${r.file} › ${r.title}`;
  const failedBefore = new Set(baseline ? failed(baseline).map(key) : []);
  const counts = (c) => {
    const by = {};
    for (const r of c.results) by[r.status] = (by[r.status] ?? 0) + 1;
    return Object.entries(by).map(([status, n]) => `${n} ${status}`).join(', ');
  };
  console.log('\n──────── check:claude summary ────────');
  if (baseline) console.log(`pinned    ${baseline.version}: ${counts(baseline)}`);
  console.log(`candidate ${candidate.version}: ${counts(candidate)}`);
  console.log(`screens captured with the candidate: ${candidate.screens}`);
  if (candidate.broken) console.log(`could not run: ${candidate.broken}`);
  const broke = failed(candidate).filter((r) => !failedBefore.has(key(r)));
  const alsoBefore = failed(candidate).filter((r) => failedBefore.has(key(r)));
  for (const r of broke) console.log(`BROKE  ${key(r)}\n       ${r.message}`);
  for (const r of alsoBefore) console.log(`fails with the pinned version too: ${key(r)}`);
  if (baseline) {
    const changed = compareScreens(baseline, candidate);
    console.log(changed.length ? `screens that changed:\n  ${changed.join('\n  ')}` : 'the captured screens read the same with both versions.');
    const failedNow = new Set(failed(candidate).map(key));
    for (const r of failed(baseline).filter((r) => !failedNow.has(key(r)))) console.log(`fixed  ${key(r)}`);
  }
  if (broke.length === 0 && !candidate.broken) console.log('nothing broke.');
  return broke.length === 0 && !candidate.broken;
}

const options = parseArgs(process.argv.slice(2));
const workDir = mkdtempSync(join(tmpdir(), `aegis-claude-${options.version ?? 'bin'}-`));
let ok = false;
try {
  let bin = options.bin ? resolve(options.bin) : null;
  if (!bin) {
    const installed = install(options.version, workDir);
    console.log(`installed in ${installed.seconds} s`);
    bin = installed.bin;
  }
  const baseline = options.baseline ? check('pinned', PINNED_BIN, workDir) : null;
  const candidate = check(options.version ?? 'candidate', bin, workDir);
  ok = summarize(candidate, baseline);
} finally {
  if (options.keep) console.log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
