// @ts-check
/**
 * Lint: the recommended JavaScript and TypeScript rules, promises that are always handled, and the
 * layering of src/: the core (sessions, claude, tmux, permissions) never imports fastify, SQLite, pino
 * or a child process (tmux alone starts processes), and each folder imports only the layers below it.
 * A violation fails the lint instead of surviving review; test/lint/layering.test.ts proves each rule.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// ─── Layering ────────────────────────────────────────────────────────────────────────────────────
// Each folder lists what it may not import. Folders are matched on the import specifier, so a
// relative path that climbs out of the folder into a forbidden one (`../http/app.js`,
// `../../tmux/tmux-error.js`) is caught; type-only imports count too, except where noted.

/** A pattern for a package, by its specifier. */
const packageRule = (regex, message) => ({ regex, message });

/** A pattern for a sibling folder of src/, reached by a relative path. */
const folderRule = (folder, message) => ({ regex: `^(\\.\\./)+${folder}(/|$)`, message });

const FASTIFY = packageRule('^(fastify|@fastify/)', 'the core never imports fastify: HTTP lives in src/http, which calls the core');
const SQLITE = packageRule('^better-sqlite3$', 'SQLite belongs to src/store; the core receives a store');
const PINO = packageRule('^pino', 'the core receives a Logger (import type { Logger } from src/log.ts), never pino itself');
const PROCESSES = [
  packageRule('^(node:)?child_process$', 'only src/tmux starts processes'),
  packageRule('^execa$', 'only src/tmux starts processes'),
];
/** src/log.ts builds the pino logger; the core may name its Logger type and nothing else from it. */
const LOG_MODULE = { regex: '^(\\.\\./)+log\\.js$', allowTypeImports: true, message: 'the core receives its logger: import type { Logger } only' };

const CORE_PACKAGES = [FASTIFY, SQLITE, PINO, LOG_MODULE];

const LAYERS = {
  'src/sessions': [...CORE_PACKAGES, ...PROCESSES, folderRule('http', 'sessions are called by src/http, never the other way')],
  'src/permissions': [
    ...CORE_PACKAGES,
    ...PROCESSES,
    folderRule('http', 'permissions are called by src/sessions and know nothing of HTTP'),
    folderRule('sessions', 'permissions are used by src/sessions, never the other way'),
    folderRule('store', 'permissions keep no storage of their own'),
    folderRule('tmux', 'permissions decide; src/sessions types the answers into tmux'),
  ],
  'src/claude': [
    ...CORE_PACKAGES,
    ...PROCESSES,
    folderRule('sessions', 'src/claude is pure: sessions use it, it does not use them'),
    folderRule('http', 'src/claude is pure and knows nothing of HTTP'),
    folderRule('store', 'src/claude is pure and keeps no storage'),
    folderRule('tmux', 'src/claude is pure: src/sessions hands it screens and paths'),
    packageRule('^(node:)?fs(/promises)?$', 'src/claude is pure: src/sessions reads the files and hands it their text'),
  ],
  'src/tmux': [
    ...CORE_PACKAGES,
    folderRule('http', 'src/tmux is the bottom layer and knows nothing of HTTP'),
    folderRule('sessions', 'src/tmux is the bottom layer: sessions use it'),
    folderRule('store', 'src/tmux is the bottom layer and keeps no storage'),
    folderRule('claude', 'src/tmux knows nothing of Claude'),
    folderRule('permissions', 'src/tmux knows nothing of Claude'),
  ],
  'src/store': [folderRule('sessions', 'the store sits below src/sessions'), folderRule('http', 'the store sits below src/http')],
  'src/http': [folderRule('tmux', 'src/http is a thin adapter over the Supervisor; tmux is reached through it')],
};

/** The core folders load their modules statically, so the rules above see every dependency. */
const CORE = ['src/sessions', 'src/permissions', 'src/claude', 'src/tmux'];

const layering = Object.entries(LAYERS).map(([folder, patterns]) => ({
  name: `aegis/layering ${folder}`,
  files: [`${folder}/**/*.ts`],
  // A test is its own composition root: it may build a logger or a store for the module it tests.
  ignores: ['**/*.test.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
    ...(CORE.includes(folder) ? { 'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'the core imports statically, so its layering can be checked' }] } : {}),
  },
}));

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
);
