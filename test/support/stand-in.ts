/**
 * A stand-in for Claude Code where Claude itself is not the point: a script that shows Claude's idle
 * screen (a real captured one) and waits, ignoring its arguments.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IDLE_SCREEN = join(import.meta.dirname, '..', 'fixtures', 'screens', 'startup-idle.txt');

export function standInClaude(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aegis-stand-in-')), 'claude');
  writeFileSync(file, `#!/bin/sh\ncat '${IDLE_SCREEN}'\nexec sleep 600\n`);
  chmodSync(file, 0o755);
  return file;
}
