/**
 * The layering rules of eslint.config.js report what they are meant to: each case lints one line as
 * if it were a file in the given folder and expects the rule's error, or none. Only the layering
 * matters here, so type information is switched off (the files do not exist).
 */
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const RULES = ['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax'];

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfig: [tseslint.configs.disableTypeChecked, { languageOptions: { parserOptions: { projectService: false } } }] });
});

/** The layering errors ESLint reports for `code` in `file`, as "rule: message". */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId !== null && RULES.includes(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`);
}

/** [folder file, import line, what the error says] */
const FORBIDDEN: Array<[string, string, string]> = [
  // The core never imports fastify, SQLite, pino or the logger factory.
  ['src/sessions/x.ts', "import Fastify from 'fastify';", 'never imports fastify'],
  ['src/claude/x.ts', "import type { FastifyInstance } from 'fastify';", 'never imports fastify'],
  ['src/permissions/x.ts', "import fp from 'fastify-plugin';", 'never imports fastify'],
  ['src/tmux/x.ts', "import cors from '@fastify/cors';", 'never imports fastify'],
  ['src/sessions/x.ts', "import Database from 'better-sqlite3';", 'SQLite belongs to src/store'],
  ['src/tmux/x.ts', "import type { Database } from 'better-sqlite3';", 'SQLite belongs to src/store'],
  ['src/sessions/x.ts', "import pino from 'pino';", 'never pino itself'],
  ['src/claude/x.ts', "import type pino from 'pino';", 'never pino itself'],
  ['src/permissions/x.ts', "import pretty from 'pino-pretty';", 'never pino itself'],
  ['src/sessions/x.ts', "import { createLogger } from '../log.js';", 'import type { Logger } only'],
  ['src/sessions/sub/x.ts', "import { silentLogger } from '../../log.js';", 'import type { Logger } only'],
  // Only src/tmux starts processes.
  ['src/sessions/x.ts', "import { spawn } from 'node:child_process';", 'only src/tmux starts processes'],
  ['src/claude/x.ts', "import { execFile } from 'child_process';", 'only src/tmux starts processes'],
  ['src/permissions/x.ts', "import { execa } from 'execa';", 'only src/tmux starts processes'],
  // Folders.
  ['src/tmux/x.ts', "import { buildApp } from '../http/app.js';", 'knows nothing of HTTP'],
  ['src/tmux/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';", 'sessions use it'],
  ['src/tmux/x.ts', "import { SessionStore } from '../store/session-store.js';", 'keeps no storage'],
  ['src/tmux/x.ts', "import { parseScreen } from '../claude/screen.js';", 'knows nothing of Claude'],
  ['src/tmux/x.ts', "export { evaluate } from '../permissions/policy.js';", 'knows nothing of Claude'],
  ['src/store/x.ts', "import type { SessionRecord } from '../sessions/session.js';", 'the store sits below src/sessions'],
  ['src/store/x.ts', "import { buildApp } from '../http/app.js';", 'the store sits below src/http'],
  ['src/http/x.ts', "import { TmuxError } from '../tmux/tmux-error.js';", 'tmux is reached through it'],
  ['src/http/routes/x.ts', "import type { TmuxServer } from '../../tmux/tmux-server.js';", 'tmux is reached through it'],
  ['src/claude/x.ts', "import type { LiveSession } from '../sessions/live-session.js';", 'src/claude is pure'],
  ['src/claude/x.ts', "import { sendError } from '../http/errors.js';", 'src/claude is pure'],
  ['src/claude/x.ts', "import { openDatabase } from '../store/database.js';", 'src/claude is pure'],
  ['src/claude/x.ts', "import type { TmuxServer } from '../tmux/tmux-server.js';", 'src/claude is pure'],
  ['src/claude/x.ts', "import { openSync } from 'node:fs';", 'src/sessions reads the files'],
  ['src/claude/x.ts', "import { readFile } from 'fs/promises';", 'src/sessions reads the files'],
  ['src/sessions/x.ts', "import { buildApp } from '../http/app.js';", 'sessions are called by src/http'],
  ['src/permissions/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';", 'used by src/sessions'],
  // The core loads its modules statically, where the rules above can see them.
  ['src/sessions/x.ts', "const m = await import('./y.js');", 'the core imports statically'],
];

/** [folder file, import line]: what the layering allows. */
const ALLOWED: Array<[string, string]> = [
  ['src/tmux/x.ts', "import { spawn } from 'node:child_process';"],
  ['src/tmux/x.ts', "import { execa } from 'execa';"],
  ['src/sessions/x.ts', "import type { Logger } from '../log.js';"],
  ['src/sessions/x.ts', "import type { TmuxServer } from '../tmux/tmux-server.js';"],
  ['src/sessions/x.ts', "import { parseScreen } from '../claude/screen.js';"],
  ['src/sessions/x.ts', "import { AegisError } from '../errors.js';"],
  ['src/sessions/x.ts', "import { openSync } from 'node:fs';"],
  ['src/store/x.ts', "import Database from 'better-sqlite3';"],
  ['src/http/x.ts', "import Fastify from 'fastify';"],
  ['src/http/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';"],
  ['src/daemon.ts', "import { TmuxServer } from './tmux/tmux-server.js';"],
  ['src/cli/x.ts', "const m = await import('../daemon.js');"],
  // A test is its own composition root.
  ['src/sessions/x.test.ts', "import { silentLogger } from '../log.js';"],
  // A folder of the same name inside a layer is not the layer.
  ['src/http/routes/x.ts', "import { something } from './tmux/x.js';"],
];

describe('the layering rules', () => {
  it.each(FORBIDDEN)('report %s: %s', async (file, line, says) => {
    const errors = await layeringErrors(file, line);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(says);
  });

  it.each(ALLOWED)('allow %s: %s', async (file, line) => {
    expect(await layeringErrors(file, line)).toEqual([]);
  });
});
