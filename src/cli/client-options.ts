/**
 * The options every command that talks to a running daemon shares (--url, --token, --json), and the
 * client built from them. Environment variables are read through commander so `--help` shows them.
 * Without --url or AEGIS_URL the daemon is found where the daemon's own configuration puts it
 * (AEGIS_PORT, AEGIS_HOST, aegis.config.json), so one configuration serves both; without --token or
 * AEGIS_TOKEN that daemon is then sent its own token (AEGIS_AUTH_TOKEN, AEGIS_AUTH_TOKEN_FILE). The
 * daemon's token goes only to the address its configuration names, never to a --url somewhere else.
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
  const daemon = flags.url === undefined ? configuredDaemon() : undefined;
  const given = flags.url ?? daemon!.url;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--url ${given} is not a URL; use e.g. ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url ${given} must start with http:// or https://`);
  return new AegisClient({ baseUrl: url.toString(), token: flags.token ?? daemon?.authToken });
}

/** The daemon's address and token from its configuration; a wildcard listen address is reached on loopback. */
function configuredDaemon(): { url: string; authToken: string | undefined } {
  let config: ReturnType<typeof loadConfig>['config'];
  try {
    ({ config } = loadConfig());
  } catch (err) {
    throw new CliError(`${describeError(err)}; fix it or give --url`);
  }
  const { host, port, authToken } = config;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return { url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`, authToken };
}
