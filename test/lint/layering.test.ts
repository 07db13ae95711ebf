/**
 * The layering rule of eslint.config.js (an allow-list per part of src/) reports what it is meant to:
 * each case lints one line as if it were a file at the given path and expects the rule's error, or
 * none. Every folder and root module of src/ must have an entry, so a new one cannot go unruled. Only
 * the layering matters here, so type information is switched off (the files do not exist).
 */
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfig: [tseslint.configs.disableTypeChecked, { languageOptions: { parserOptions: { projectService: false } } }] });
});

/** The layering errors ESLint reports for `code` in `file`. */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'aegis/layering').map((m) => m.message);
}

/** [file, import line, what the error says] */
const FORBIDDEN: Array<[string, string, string]> = [
  // The core never imports fastify, SQLite, pino or the logger factory.
  ['src/sessions/x.ts', "import Fastify from 'fastify';", "src/sessions/ may not import 'fastify'"],
  ['src/claude/x.ts', "import type { FastifyInstance } from 'fastify';", "src/claude/ may not import 'fastify'"],
  ['src/permissions/x.ts', "import fp from 'fastify-plugin';", "src/permissions/ may not import 'fastify-plugin'"],
  ['src/tmux/x.ts', "import cors from '@fastify/cors';", "src/tmux/ may not import '@fastify/cors'"],
  ['src/sessions/x.ts', "import Database from 'better-sqlite3';", "may not import 'better-sqlite3'"],
  ['src/tmux/x.ts', "import type { Database } from 'better-sqlite3';", "may not import 'better-sqlite3'"],
  ['src/http/x.ts', "import Database from 'better-sqlite3';", "src/http/ may not import 'better-sqlite3'"],
  ['src/sessions/x.ts', "import pino from 'pino';", "may not import 'pino'"],
  ['src/claude/x.ts', "import type pino from 'pino';", "may not import 'pino'"],
  ['src/permissions/x.ts', "import pretty from 'pino-pretty';", "may not import 'pino-pretty'"],
  ['src/sessions/x.ts', "import { createLogger } from '../log.js';", 'src/sessions/ may not import src/log.ts (only its types)'],
  ['src/sessions/sub/x.ts', "import { silentLogger } from '../../log.js';", 'may not import src/log.ts (only its types)'],
  // Only src/tmux starts processes (and the CLI, a program of its own).
  ['src/sessions/x.ts', "import { spawn } from 'node:child_process';", "may not import 'node:child_process'"],
  ['src/claude/x.ts', "import { execFile } from 'child_process';", "may not import 'child_process'"],
  ['src/permissions/x.ts', "import { execa } from 'execa';", "may not import 'execa'"],
  ['src/http/x.ts', "import { fork } from 'node:cluster';", "may not import 'node:cluster'"],
  ['src/store/x.ts', "import { spawn } from 'node:child_process';", "may not import 'node:child_process'"],
  // A package no layer lists.
  ['src/sessions/x.ts', "import left from 'left-pad';", "may not import 'left-pad'"],
  // tmux is the bottom layer.
  ['src/tmux/x.ts', "import { buildApp } from '../http/app.js';", 'src/tmux/ may not import src/http/'],
  ['src/tmux/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';", 'src/tmux/ may not import src/sessions/'],
  ['src/tmux/x.ts', "import { SessionStore } from '../store/session-store.js';", 'src/tmux/ may not import src/store/'],
  ['src/tmux/x.ts', "import { parseScreen } from '../claude/screen.js';", 'src/tmux/ may not import src/claude/'],
  ['src/tmux/x.ts', "export { evaluate } from '../permissions/policy.js';", 'src/tmux/ may not import src/permissions/'],
  ['src/tmux/x.ts', "import { EventBus } from '../events/event-bus.js';", 'src/tmux/ may not import src/events/'],
  // The store sits below the core and imports none of it.
  ['src/store/x.ts', "import type { SessionRecord } from '../sessions/session.js';", 'src/store/ may not import src/sessions/'],
  ['src/store/x.ts', "import { buildApp } from '../http/app.js';", 'src/store/ may not import src/http/'],
  ['src/store/x.ts', "import { TmuxServer } from '../tmux/tmux-server.js';", 'src/store/ may not import src/tmux/'],
  ['src/store/x.ts', "import { parseScreen } from '../claude/screen.js';", 'src/store/ may not import src/claude/'],
  ['src/store/x.ts', "import type { ApiKey } from '../auth/keys.js';", 'src/store/ may not import src/auth/'],
  // The HTTP adapter reaches tmux and the store through the core.
  ['src/http/x.ts', "import { TmuxError } from '../tmux/tmux-error.js';", 'src/http/ may not import src/tmux/'],
  ['src/http/routes/x.ts', "import type { TmuxServer } from '../../tmux/tmux-server.js';", 'src/http/ may not import src/tmux/'],
  ['src/http/x.ts', "import { SessionStore } from '../store/session-store.js';", 'src/http/ may not import src/store/'],
  ['src/http/x.ts', "import { startDaemon } from '../daemon.js';", 'src/http/ may not import src/daemon.ts'],
  // claude is pure.
  ['src/claude/x.ts', "import type { LiveSession } from '../sessions/live-session.js';", 'src/claude/ may not import src/sessions/'],
  ['src/claude/x.ts', "import { sendError } from '../http/errors.js';", 'src/claude/ may not import src/http/'],
  ['src/claude/x.ts', "import { openDatabase } from '../store/database.js';", 'src/claude/ may not import src/store/'],
  ['src/claude/x.ts', "import type { TmuxServer } from '../tmux/tmux-server.js';", 'src/claude/ may not import src/tmux/'],
  ['src/claude/x.ts', "import { configSchema } from '../config/schema.js';", 'src/claude/ may not import src/config/ (only its types)'],
  ['src/claude/x.ts', "import { openSync } from 'node:fs';", "src/claude/ may not import 'node:fs'"],
  ['src/claude/x.ts', "import { readFile } from 'fs/promises';", "src/claude/ may not import 'fs/promises'"],
  // sessions and permissions.
  ['src/sessions/x.ts', "import { buildApp } from '../http/app.js';", 'src/sessions/ may not import src/http/'],
  ['src/sessions/x.ts', "import { SessionStore } from '../store/session-store.js';", 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', "import { createDaemonStatus } from '../operations/daemon-status.js';", 'src/sessions/ may not import src/operations/'],
  ['src/permissions/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';", 'src/permissions/ may not import src/sessions/'],
  ['src/permissions/x.ts', "import { SessionStore } from '../store/session-store.js';", 'src/permissions/ may not import src/store/'],
  // events, auth, config, operations.
  ['src/events/x.ts', "import type { SessionView } from '../sessions/session-record.js';", 'src/events/ may not import src/sessions/'],
  ['src/auth/x.ts', "import { SessionStore } from '../store/session-store.js';", 'src/auth/ may not import src/store/'],
  ['src/auth/x.ts', "import type { FastifyRequest } from 'fastify';", "src/auth/ may not import 'fastify'"],
  ['src/auth/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';", 'src/auth/ may not import src/sessions/'],
  ['src/config/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';", 'src/config/ may not import src/sessions/'],
  ['src/operations/x.ts', "import { Supervisor } from '../sessions/supervisor.js';", 'src/operations/ may not import src/sessions/ (only its types)'],
  ['src/operations/x.ts', "import { openDatabase } from '../store/database.js';", 'src/operations/ may not import src/store/'],
  // The CLI and the client speak /v1; the client shares only types.
  ['src/cli/x.ts', "import { SESSION_STATUSES } from '../sessions/session-record.js';", 'src/cli/ may not import src/sessions/'],
  ['src/cli/x.ts', "import { TmuxServer } from '../tmux/tmux-server.js';", 'src/cli/ may not import src/tmux/'],
  ['src/client/x.ts', "import { createSessionSchema } from '../sessions/inputs.js';", 'src/client/ may not import src/sessions/ (only its types)'],
  ['src/client/x.ts', "import { AegisError } from '../errors.js';", 'src/client/ may not import src/errors.ts'],
  ['src/client/x.ts', "import { formatEvent } from '../cli/event-format.js';", 'src/client/ may not import src/cli/'],
  // The root modules.
  ['src/errors.ts', "import { z } from 'zod';", "src/errors.ts may not import 'zod'"],
  ['src/log.ts', "import type { Config } from './config/schema.js';", 'src/log.ts may not import src/config/'],
  ['src/daemon.ts', "import { main } from './cli/main.js';", 'src/daemon.ts may not import src/cli/'],
  // However an import is spelled, it is judged by the file it names.
  ['src/sessions/x.ts', "import { SessionStore } from './../store/session-store.js';", 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', "import { SessionStore } from '../sessions/../store/session-store.js';", 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', `import { SessionStore } from '${join(SRC, 'store', 'session-store.js')}';`, 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', `import { SessionStore } from '${pathToFileURL(join(SRC, 'store', 'session-store.js')).href}';`, 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', "export * from '../store/session-store.js';", 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', "type Store = import('../store/session-store.js').SessionStore;", 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', "import store = require('../store/session-store.js');", 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', "import '../store/session-store.js';", 'src/sessions/ may not import src/store/'],
  ['src/sessions/x.ts', "import { SessionStore } from '#store/session-store.js';", "src/sessions/ may not import '#store/session-store.js'"],
  ['src/sessions/x.ts', "import { SessionStore } from 'aegis/dist/src/store/session-store.js';", "src/sessions/ may not import 'aegis/dist/src/store/session-store.js'"],
  ['src/sessions/x.ts', "import { check } from '../../test/support/wait-for.js';", 'src/ imports only from src/ and packages'],
  ['src/cli/x.ts', "const { TmuxServer } = await import('../tmux/tmux-server.js');", 'src/cli/ may not import src/tmux/'],
  // The core loads its modules statically, where the rule can see them.
  ['src/sessions/x.ts', "const m = await import('./y.js');", 'src/sessions/ imports statically'],
  ['src/tmux/x.ts', 'const m = await import(name);', 'src/tmux/ imports statically'],
  // A part of src/ with no entry in the table.
  ['src/brand-new/x.ts', "export const x = 1;", 'src/brand-new/ has no layering rule'],
  ['src/brand-new.ts', "export const x = 1;", 'src/brand-new.ts has no layering rule'],
  // The dashboard (web/) runs in a browser: it shares no code with the daemon, in either direction.
  ['web/src/x.ts', "import { SESSION_STATUSES } from '../../src/sessions/session-record.js';", 'web/ imports only from web/ and packages'],
  ['web/src/views/x.ts', "import type { SessionView } from '../../../src/sessions/session-record.js';", 'web/ imports only from web/ and packages'],
  ['web/src/x.ts', "import Fastify from 'fastify';", "web/src/ may not import 'fastify'"],
  ['web/src/x.ts', "import { readFileSync } from 'node:fs';", "web/src/ may not import 'node:fs'"],
  ['web/brand-new/x.ts', "export const x = 1;", 'web/brand-new/ has no layering rule'],
  ['src/http/x.ts', "import { h } from '../../web/src/dom.js';", 'src/ imports only from src/ and packages'],
];

/** [file, import line]: what the layering allows. */
const ALLOWED: Array<[string, string]> = [
  ['web/src/x.ts', "import { Terminal } from '@xterm/xterm';"],
  ['web/src/x.ts', "import '@xterm/xterm/css/xterm.css';"],
  ['web/src/views/x.ts', "import { h } from '../dom.js';"],
  ['src/tmux/x.ts', "import { spawn } from 'node:child_process';"],
  ['src/tmux/x.ts', "import { execa } from 'execa';"],
  ['src/tmux/x.ts', "import { readFile } from 'node:fs/promises';"],
  ['src/tmux/x.ts', "import { EventEmitter } from 'events';"],
  ['src/sessions/x.ts', "import type { Logger } from '../log.js';"],
  ['src/sessions/x.ts', "import { type Logger } from '../log.js';"],
  ['src/sessions/x.ts', "import type { TmuxServer } from '../tmux/tmux-server.js';"],
  ['src/sessions/x.ts', "import { parseScreen } from '../claude/screen.js';"],
  ['src/sessions/x.ts', "import { AegisError } from '../errors.js';"],
  ['src/sessions/x.ts', "import { sha256 } from '../auth/tokens.js';"],
  ['src/sessions/x.ts', "import { EventBus } from '../events/event-bus.js';"],
  ['src/sessions/x.ts', "import { z } from 'zod';"],
  ['src/sessions/sub/x.ts', "import { y } from '../y.js';"],
  ['src/claude/x.ts', "import type { PermissionMode } from '../config/schema.js';"],
  ['src/sessions/x.ts', "import { openSync } from 'node:fs';"],
  ['src/claude/x.ts', "import { join } from 'node:path';"],
  ['src/config/x.ts', "import { profileSchema } from '../permissions/policy.js';"],
  ['src/store/x.ts', "import Database from 'better-sqlite3';"],
  ['src/store/x.ts', "import { processAlive } from '../process-alive.js';"],
  ['src/http/x.ts', "import Fastify from 'fastify';"],
  ['src/http/x.ts', "import rateLimit from '@fastify/rate-limit';"],
  ['src/http/x.ts', "import type { Supervisor } from '../sessions/supervisor.js';"],
  ['src/http/x.ts', "import { tokensEqual } from '../auth/tokens.js';"],
  ['src/http/x.ts', "import { createDaemonStatus } from '../operations/daemon-status.js';"],
  ['src/operations/x.ts', "import type { TmuxServer } from '../tmux/tmux-server.js';"],
  ['src/operations/x.ts', "import { redactConfig } from '../config/load.js';"],
  ['src/auth/x.ts', "import { z } from 'zod';"],
  ['src/client/x.ts', "import type { AegisEvent } from '../events/event-bus.js';"],
  ['src/client/x.ts', "import { createParser } from 'eventsource-parser';"],
  ['src/cli/x.ts', "import { AegisClient } from '../client/client.js';"],
  ['src/cli/x.ts', "import { execFile } from 'node:child_process';"],
  ['src/cli/x.ts', "const m = await import('../daemon.js');"],
  ['src/daemon.ts', "import { TmuxServer } from './tmux/tmux-server.js';"],
  ['src/daemon.ts', "import { SessionStore } from './store/session-store.js';"],
  ['src/log.ts', "import pino from 'pino';"],
  // A test is its own composition root.
  ['src/sessions/x.test.ts', "import { silentLogger } from '../log.js';"],
  ['src/store/x.test.ts', "import { Supervisor } from '../sessions/supervisor.js';"],
  // A folder of the same name inside a layer is not the layer.
  ['src/http/routes/x.ts', "import { something } from './tmux/x.js';"],
];

/** Every folder and module at the root of src/, as a file the rule would lint there. */
function partsOfSrc(): string[] {
  return readdirSync(SRC, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return [`src/${entry.name}/x.ts`];
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [`src/${entry.name}`] : [];
  });
}

describe('the layering rule', () => {
  it.each(FORBIDDEN)('reports %s: %s', async (file, line, says) => {
    const errors = await layeringErrors(file, line);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(says);
  });

  it.each(ALLOWED)('allows %s: %s', async (file, line) => {
    expect(await layeringErrors(file, line)).toEqual([]);
  });

  it.each(partsOfSrc())('has an entry for %s', async (file) => {
    expect(await layeringErrors(file, 'export {};')).toEqual([]);
  });
});
