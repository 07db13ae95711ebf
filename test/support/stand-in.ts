/**
 * Stand-ins for Claude Code where Claude itself is not the point: small shell scripts that show a
 * screen (a real captured one, or any text) and then wait or exit, ignoring their arguments.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IDLE_SCREEN = join(import.meta.dirname, '..', 'fixtures', 'screens', 'startup-idle.txt');

/**
 * A script that shows Claude's idle screen and waits, its cursor in the prompt box: what is typed
 * shows there (the terminal echoes it), as it would in Claude's.
 */
export function standInClaude(): string {
  return standInScript(idleBody());
}

/** The shell body of `standInClaude`, for a stand-in that does something else first. */
export function idleBody(): string {
  const lines = readFileSync(IDLE_SCREEN, 'utf8').split('\n');
  const up = lines.length - 1 - lines.findIndex((line) => line.startsWith('❯'));
  return `cat '${IDLE_SCREEN}'\nprintf '\\033[${up}A\\r\\033[2C'\nexec sleep 600`;
}

/**
 * The variable in which a stand-in keeps the hook secret it found in its settings file (which the
 * daemon removes once the session is up), for tests that call hooks as the session's program could.
 */
export const STAND_IN_SECRET_ENV = 'STAND_IN_HOOK_SECRET';
const KEEP_SECRET = `if [ "$3" = --settings ] && [ -r "$4" ]; then
  ${STAND_IN_SECRET_ENV}=$(sed -n 's/.*"x-aegis-hook-secret": *"\\([^"]*\\)".*/\\1/p' "$4" | head -n 1); export ${STAND_IN_SECRET_ENV}
fi`;

/** A script with the given shell body (`sh`), as the Claude command. */
export function standInScript(body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aegis-stand-in-')), 'claude');
  writeFileSync(file, `#!/bin/sh\n${KEEP_SECRET}\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}
