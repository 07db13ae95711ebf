/**
 * `aegis backup <file>`: a consistent copy of the state dir's database, taken with SQLite's online
 * backup API while the daemon runs (or not), then checked (integrity and audit chain). `aegis restore
 * <file>`: a backup put in place of the database, for a stopped daemon; the database it replaces is
 * kept beside it.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyChain } from '../../audit/verify.js';
import { auditStoreOf, backupStateDir, databaseFileOf, integrityOf, restoreStateDir, withDatabaseReadOnly } from '../../store/offline-database.js';
import { LockHeldError } from '../../store/pid-lock.js';
import { CliError } from '../exit-codes.js';
import { printJson, printLine, printNote } from '../output.js';
import { configuredStateDir } from './audit.js';

interface StateDirFlags {
  stateDir?: string;
  json?: boolean;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description("copy the state dir's database to a new file, consistently, while the daemon runs; then check the copy")
    .argument('<file>', 'the backup file to write (must not exist)')
    .option('--state-dir <dir>', 'the state dir (default: the configured one)')
    .option('--json', 'print the result as JSON')
    .action(backup);
  program
    .command('restore')
    .description("put a backup in place of the state dir's database; the daemon must be stopped")
    .argument('<file>', 'a file written by aegis backup or POST /v1/admin/backup')
    .option('--state-dir <dir>', 'the state dir (default: the configured one)')
    .option('--json', 'print the result as JSON')
    .action(restore);
}

async function backup(file: string, flags: StateDirFlags): Promise<void> {
  const stateDir = flags.stateDir ?? configuredStateDir();
  const written = await backupStateDir(stateDir, resolve(file));
  const check = await checkBackup(written.file);
  if (flags.json) printJson({ ...written, ...check });
  else printLine(`wrote ${written.file} (${written.bytes} bytes): integrity ${check.integrity}, audit chain ${check.audit.ok ? 'whole' : `broken at ${check.audit.firstBrokenId}`} (${check.audit.checked} entries)`);
  if (check.integrity !== 'ok' || !check.audit.ok) throw new CliError(`the backup ${written.file} does not check out`);
}

async function restore(file: string, flags: StateDirFlags): Promise<void> {
  const stateDir = flags.stateDir ?? configuredStateDir();
  const source = databaseFileOf(resolve(file));
  const check = await checkBackup(source);
  if (check.integrity !== 'ok') throw new CliError(`${source} fails SQLite's integrity check (${check.integrity}); not restored`);
  if (!check.audit.ok) throw new CliError(`${source} has a broken audit chain (at entry ${check.audit.firstBrokenId}); not restored`);
  let kept: string | null;
  try {
    kept = restoreStateDir(stateDir, source);
  } catch (err) {
    if (err instanceof LockHeldError) throw new CliError(`${err.message}; stop the daemon before restoring`);
    throw err;
  }
  if (flags.json) printJson({ restored: source, stateDir, previous: kept, ...check });
  else {
    printLine(`restored ${source} into ${stateDir} (${check.audit.checked} audit entries, chain whole)`);
    if (kept) printNote(`the database it replaced is kept as ${kept}`);
  }
}

async function checkBackup(file: string) {
  return withDatabaseReadOnly(file, async (db) => ({ integrity: integrityOf(db), audit: await verifyChain(auditStoreOf(db, file)) }));
}
