/** Aegis's version, read once from its package.json. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'aegis' && pkg.version) return pkg.version;
    } catch {
      // try the next location: src/ and dist/ sit at different depths in a test run and a build
    }
  }
  return '0.0.0';
}

export const AEGIS_VERSION = readVersion();
