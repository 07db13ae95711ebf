// @ts-check
/**
 * Lint: the recommended JavaScript and TypeScript rules, promises that are always handled, and the
 * layering of src/: each folder imports only what its entry in LAYERS allows (eslint-rules/layering.js),
 * so the core (sessions, claude, tmux, permissions) never imports fastify, SQLite, pino or a child
 * process (tmux alone starts processes). A violation fails the lint instead of surviving review.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { layeringRule, NODE } from './eslint-rules/layering.js';

// ─── Layering ────────────────────────────────────────────────────────────────────────────────────
// What each part of src/ may import: the other parts (a folder, or a module at the root such as
// `errors.ts`; `types:x` allows only types from x) and the packages. Anything not listed is an error,
// and so is a part with no entry, so a new folder says what it depends on before it lints.
// The arrows point down: http → sessions → claude/permissions/tmux; store sits below the core and
// imports none of it (each core layer defines the repository it needs; the store implements it and
// daemon.ts hands it over). test/lint/layering.test.ts proves each rule.

/** Packages every layer may use: Node's own modules except those that start processes (NODE), and zod. */
const PLAIN = [NODE, 'zod'];
/** Starting processes: tmux/ runs tmux; the CLI runs checks and the daemon. */
const PROCESSES = ['node:child_process', 'execa'];

/** @type {Record<string, import('./eslint-rules/layering.js').Layer>} */
export const LAYERS = {
  'daemon.ts': {
    why: 'the composition root builds the daemon; the CLI and the /v1 client are programs of their own',
    may: ['config', 'events', 'http', 'metrics', 'operations', 'sessions', 'router', 'memory', 'permissions', 'auth', 'audit', 'claude', 'tmux', 'store', 'errors.ts', 'disposals.ts', 'log.ts', 'version.ts', 'process-alive.ts'],
    packages: [NODE, 'fastify', 'pino'],
  },
  http: {
    why: 'src/http is a thin adapter over the core: tmux and the store are reached through it, and it starts no process',
    may: ['sessions', 'router', 'memory', 'permissions', 'events', 'operations', 'types:metrics', 'auth', 'audit', 'config', 'claude', 'errors.ts', 'types:log.ts', 'version.ts'],
    packages: [...PLAIN, 'fastify', 'fastify-plugin', '@fastify/*'],
  },
  operations: {
    why: 'src/operations reports on the objects the composition root hands it, and names only their types',
    may: ['config', 'types:sessions', 'types:permissions', 'types:events', 'types:auth', 'types:tmux', 'errors.ts', 'types:log.ts', 'version.ts', 'process-alive.ts'],
    packages: PLAIN,
  },
  metrics: {
    why: 'src/metrics counts what the bus publishes and reads the present from the parts the composition root hands it; it serves nothing itself',
    may: ['sessions', 'types:events', 'errors.ts', 'types:log.ts'],
    packages: [...PLAIN, 'prom-client'],
  },
  sessions: {
    why: 'src/sessions is the core: called by src/http, it drives claude/, permissions/ and tmux/ and receives its store and logger',
    may: ['claude', 'router', 'permissions', 'tmux', 'events', 'auth', 'config', 'errors.ts', 'disposals.ts', 'types:log.ts', 'process-alive.ts', 'canonical-json.ts'],
    packages: PLAIN,
    staticImports: true,
  },
  auth: {
    why: 'src/auth decides who may do what: it defines the repository it needs (src/store implements it) and knows nothing of HTTP',
    may: ['config', 'events', 'errors.ts', 'types:log.ts'],
    packages: PLAIN,
    staticImports: true,
  },
  audit: {
    why: 'src/audit keeps the record of who did what: it hears the event bus, defines the repository it needs (src/store implements it) and knows nothing of HTTP',
    may: ['types:events', 'errors.ts', 'types:log.ts', 'canonical-json.ts'],
    packages: PLAIN,
    staticImports: true,
  },
  permissions: {
    why: 'src/permissions decides on requests for src/sessions, with no storage, tmux or HTTP of its own',
    may: ['errors.ts', 'types:log.ts'],
    packages: PLAIN,
    staticImports: true,
  },
  claude: {
    why: 'src/claude is pure: src/sessions hands it screens, paths, settings and the text of files (it reads none itself)',
    may: ['types:config', 'errors.ts'],
    packages: ['node:os', 'node:path', 'zod'],
    staticImports: true,
  },
  router: {
    why: 'src/router is pure: it routes a task\'s text to a tier by the configured rules, and knows nothing of sessions, storage or HTTP',
    may: ['config', 'errors.ts'],
    packages: PLAIN,
    staticImports: true,
  },
  memory: {
    why: 'src/memory is the memory bridge: it defines the repository it needs (src/store implements it) and knows nothing of HTTP',
    may: ['types:config', 'types:auth', 'errors.ts', 'types:log.ts'],
    packages: PLAIN,
    staticImports: true,
  },
  events: {
    why: 'src/events is the bus every layer publishes to, so it depends on none of them',
    may: ['errors.ts', 'types:log.ts'],
    packages: PLAIN,
    staticImports: true,
  },
  tmux: {
    why: 'src/tmux is the bottom layer: it runs tmux and knows nothing of Claude, sessions, storage or HTTP',
    may: ['errors.ts', 'types:log.ts'],
    packages: [...PLAIN, ...PROCESSES],
    staticImports: true,
  },
  store: {
    why: 'src/store sits below the core: it keeps what it is given, implementing the repositories the core defines without importing them, so another store can replace it',
    may: ['errors.ts', 'types:log.ts', 'process-alive.ts'],
    packages: [NODE, 'better-sqlite3'],
  },
  config: {
    why: 'src/config reads the configuration; it knows the permission profiles and nothing of the layers that use it',
    may: ['permissions', 'errors.ts'],
    packages: PLAIN,
  },
  cli: {
    why: 'the CLI speaks /v1 through src/client; it reaches into the daemon only to run it (serve) and read its configuration',
    may: ['client', 'config', 'daemon.ts', 'audit', 'store', 'errors.ts', 'version.ts'],
    packages: [...PLAIN, 'commander', 'node:child_process'],
  },
  client: {
    why: 'the /v1 client shares the contract\'s types with the daemon and none of its code',
    may: ['types:sessions', 'types:claude', 'types:events', 'types:permissions', 'types:config', 'types:metrics', 'version.ts'],
    packages: [...PLAIN, 'eventsource-parser'],
  },
  'errors.ts': { why: 'the error types are a leaf every layer uses' },
  'disposals.ts': { why: 'closing in reverse is a leaf any owner of long-lived parts uses', packages: [NODE] },
  'log.ts': { why: 'the logger factory depends on pino alone', packages: [NODE, 'pino'] },
  'version.ts': { why: 'the version is read from package.json, and depends on nothing', packages: [NODE] },
  'process-alive.ts': { why: 'asking the system whether a process lives depends on nothing', packages: [NODE] },
  'canonical-json.ts': { why: 'one JSON text for one content (hashed by the audit chain and by keyed creates) depends on nothing' },
};

const layering = {
  name: 'aegis/layering',
  files: ['src/**/*.ts'],
  // A test is its own composition root: it may build a logger or a store for the module it tests.
  ignores: ['**/*.test.ts'],
  plugins: { aegis: { rules: { layering: layeringRule } } },
  rules: { 'aegis/layering': ['error', { srcDir: join(import.meta.dirname, 'src'), layers: LAYERS }] },
};

// ─── The dashboard ───────────────────────────────────────────────────────────────────────────────
// web/ is the page the daemon serves at `/`, bundled by scripts/build-dashboard.mjs. It runs in a
// browser and speaks /v1 over HTTP like any other client, so it imports nothing of src/ (nor src/ of
// it) and no package but the terminal it draws with.

/** @type {Record<string, import('./eslint-rules/layering.js').Layer>} */
export const WEB_LAYERS = {
  src: {
    why: 'the dashboard runs in the browser and speaks /v1 over HTTP: it shares no code with the daemon, and bundles only @xterm/*',
    packages: ['@xterm/*'],
  },
};

const webLayering = {
  name: 'aegis/web-layering',
  files: ['web/**/*.ts'],
  plugins: { aegis: { rules: { layering: layeringRule } } },
  rules: { 'aegis/layering': ['error', { srcDir: join(import.meta.dirname, 'web'), layers: WEB_LAYERS, root: 'web' }] },
};

// ─── Everything ──────────────────────────────────────────────────────────────────────────────────

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  // A disable comment that no longer silences anything is removed, not left to hide the next problem.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'aegis/typescript',
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits or catches turns a failure into an unhandled rejection that ends the
      // daemon. `void` does not count as handling: a promise left to run is given its `.catch`, or a
      // disable comment that says why it cannot reject.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // The compiler reports unused names already (noUnusedLocals, noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      // Replaced by the TypeScript-aware rule, which understands `import type`.
      'no-restricted-imports': 'off',
      // Aegis matches control characters on purpose: it keeps them out of what it types into terminals.
      'no-control-regex': 'off',
    },
  },
  {
    name: 'aegis/tests',
    files: ['test/**/*.ts', 'bench/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      // Tests read JSON answers by path and let their assertions check the shape.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    name: 'aegis/javascript',
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', fetch: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', AbortController: 'readonly',
      },
    },
    rules: {
      // Stand-ins for terminal programs read escape sequences on purpose.
      'no-control-regex': 'off',
    },
  },
  layering,
  webLayering,
);
