/**
 * The options every command that talks to a running daemon shares (--url, --token, --json), and the
 * client built from them. Environment variables are read through commander so `--help` shows them.
 */
import { Option, type Command } from 'commander';
import { AegisClient } from '../client/client.js';
import { UsageError } from './exit-codes.js';

export const DEFAULT_URL = 'http://127.0.0.1:9100';

export interface ClientFlags {
  url: string;
  token?: string;
  json?: boolean;
}

export function addClientOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'where the daemon listens').env('AEGIS_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'master token or API key, sent as Authorization: Bearer').env('AEGIS_TOKEN'))
    .option('--json', 'print the API JSON (pretty-printed) instead of human output');
}

export function clientFrom(flags: ClientFlags): AegisClient {
  let url: URL;
  try {
    url = new URL(flags.url);
  } catch {
    throw new UsageError(`--url ${flags.url} is not a URL; use e.g. ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url ${flags.url} must start with http:// or https://`);
  return new AegisClient({ baseUrl: url.toString(), token: flags.token });
}
