#!/usr/bin/env node
/**
 * A Claude stand-in whose reply is hostile to a terminal: it shows Claude's idle screen, writes one
 * assistant reply to its transcript where Claude would (fake-claude-reports.mjs) holding the text of
 * the file named by its first argument (escape sequences, C1 controls, bidi overrides), and waits.
 * Aegis's own arguments follow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { reporter } from './fake-claude-reports.mjs';

const [replyFile, ...argv] = process.argv.slice(2);
const sessionId = argv[argv.indexOf('--session-id') + 1] ?? randomUUID();
const { record } = reporter({ sessionId, settingsFile: undefined, permissionMode: 'default', cwd: process.cwd() });

process.stdout.write(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'screens', 'startup-idle.txt'), 'utf8').replace(/\n/g, '\r\n'));
record('assistant', {
  id: `msg_${randomUUID().replace(/-/g, '')}`,
  type: 'message',
  role: 'assistant',
  model: 'hostile-reply',
  content: [{ type: 'text', text: readFileSync(replyFile, 'utf8') }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
});
setTimeout(() => {}, 600_000);
