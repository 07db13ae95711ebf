/**
 * `aegis audit export` (GET /v1/audit/export, streamed to a file or stdout as it arrives) and
 * `aegis audit verify`, which checks the hash chain offline: in a state dir or a backup file, opened
 * read-only, with or without a daemon running on it.
 */
import { createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Command, Option } from 'commander';
import { verifyChain } from '../../audit/verify.js';
import { apiErrorFrom, DaemonUnreachableError, networkReason } from '../../client/errors.js';
import { loadConfig } from '../../config/load.js';
import { auditStoreOf, databaseFileOf, withDatabaseReadOnly } from '../../store/offline-database.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { CliError } from '../exit-codes.js';
import { printJson, printLine } from '../output.js';

interface ExportFlags extends ClientFlags {
  format: 'csv' | 'jsonl';
  start?: string;
  end?: string;
  actor?: string;
  action?: string;
  sessionId?: string;
  output?: string;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit log: export it, verify its hash chain');
  addClientOptions(
    audit
      .command('export')
      .description('write the audit log as CSV or JSON Lines (GET /v1/audit/export; needs audit:read)')
      .addOption(new Option('--format <format>', 'csv (with a header row) or jsonl').choices(['csv', 'jsonl']).default('csv'))
      .option('--start <time>', 'entries at or after this ISO-8601 time')
      .option('--end <time>', 'entries before this ISO-8601 time')
      .option('--actor <actor>', 'only this actor (a key id, master, local, system, rule:<name>)')
      .option('--action <action>', 'only this action, e.g. session.send')
      .option('--session-id <id>', 'only entries about this session (or key)')
      .option('-o, --output <file>', 'write to this file (a new one) instead of stdout'),
  ).action(exportAudit);
  audit
    .command('verify')
    .description("check the audit log's hash chain offline; exit 1 when it is broken")
    .argument('[path]', "a state dir or a database file (a backup); default: the configured state dir")
    .option('--json', 'print {"ok","checked","firstBrokenId"}')
    .action(verify);
}

async function exportAudit(flags: ExportFlags): Promise<void> {
  const client = clientFrom(flags);
  const query = { format: flags.format, start: flags.start, end: flags.end, actor: flags.actor, action: flags.action, sessionId: flags.sessionId };
  let response: Response;
  try {
    response = await fetch(client.url('/v1/audit/export', query), { headers: client.headers() });
  } catch (err) {
    throw new DaemonUnreachableError(client.url(''), networkReason(err));
  }
  if (!response.ok || !response.body) throw apiErrorFrom(response.status, response.statusText, await response.text());
  const destination = flags.output ? createWriteStream(flags.output, { flags: 'wx', mode: 0o600 }) : stdoutKeptOpen();
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), destination);
}

/** stdout as a pipeline's end that does not close it (the process still prints after). */
function stdoutKeptOpen(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (process.stdout.write(chunk)) done();
      else process.stdout.once('drain', () => done());
    },
  });
}

async function verify(path: string | undefined, flags: { json?: boolean }): Promise<void> {
  const file = databaseFileOf(path ?? configuredStateDir());
  const verdict = await withDatabaseReadOnly(file, (db) => verifyChain(auditStoreOf(db, file)));
  if (flags.json) printJson(verdict);
  else if (verdict.ok) printLine(`ok: ${verdict.checked} entries, the chain is whole (${file})`);
  else printLine(`BROKEN at entry ${verdict.firstBrokenId} (${verdict.checked} entries checked, ${file})`);
  if (!verdict.ok) throw new CliError(`the audit log's chain is broken at entry ${verdict.firstBrokenId}`);
}

export function configuredStateDir(): string {
  try {
    return loadConfig().config.stateDir;
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}; fix it or name the state dir`);
  }
}
