/**
 * The options every command that talks to a running daemon shares (--url, --token, --json), and the
 * client built from them. Environment variables are read through commander so `--help` shows them.
 * Without --url or AEGIS_URL the daemon is found where the daemon's own configuration puts it
 * (AEGIS_PORT, AEGIS_HOST, aegis.config.json), so one configuration serves both.
 */
import { Option, type Command } from 'commander';
import { AegisClient } from '../client/client.js';
import { loadConfig } from '../config/load.js';
import { CliError, UsageError, describeError } from './exit-codes.js';

export const DEFAULT_URL = 'http://127.0.0.1:9100';

export interface ClientFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

export function addClientOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'where the daemon listens').env('AEGIS_URL').default(undefined, `where the daemon's configuration puts it, else ${DEFAULT_URL}`))
    .addOption(new Option('--token <token>', 'master token or API key, sent as Authorization: Bearer').env('AEGIS_TOKEN'))
    .option('--json', 'print the API JSON (pretty-printed) instead of human output');
}

export function clientFrom(flags: ClientFlags): AegisClient {
  const given = flags.url ?? configuredUrl();
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--url ${given} is not a URL; use e.g. ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url ${given} must start with http:// or https://`);
  return new AegisClient({ baseUrl: url.toString(), token: flags.token });
}

/** The daemon's address from its configuration; a wildcard listen address is reached on loopback. */
function configuredUrl(): string {
  let host: string;
  let port: number;
  try {
    ({ host, port } = loadConfig().config);
  } catch (err) {
    throw new CliError(`${describeError(err)}; fix it or give --url`);
  }
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
