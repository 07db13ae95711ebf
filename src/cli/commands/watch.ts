/**
 * `aegis watch [id]`: follows the daemon's events (all sessions, or one) and prints a line per event,
 * or the event's JSON per line with --json. It reconnects on its own (see client/event-stream.ts) and
 * runs until interrupted, or until --max-events events were printed; `--max-events 0` only checks
 * that the stream opens. Connection notes go to stderr so stdout holds only events.
 */
import type { Command } from 'commander';
import { followEvents, STOP } from '../../client/event-stream.js';
import { integer } from '../arguments.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { formatEvent } from '../event-format.js';
import { printJsonLine, printLine, printNote } from '../output.js';
import { resolveSessionId } from '../session-ref.js';

interface WatchFlags extends ClientFlags {
  maxEvents?: number;
  since?: string;
}

export function registerWatch(program: Command): void {
  const command = program
    .command('watch')
    .description("follow events as they happen: every session's, or one session's")
    .argument('[id]', 'session id, unique id prefix or name (default: all sessions)')
    .option('--max-events <n>', 'stop after this many events (0: stop once connected)', integer(0))
    .option('--since <event-id>', "first replay the events after this id still in the daemon's buffer (0: all of them)", (v) => String(integer(0)(v)));
  addClientOptions(command).action(watch);
}

async function watch(ref: string | undefined, flags: WatchFlags): Promise<void> {
  const client = clientFrom(flags);
  const path = ref === undefined ? '/v1/events' : `/v1/sessions/${encodeURIComponent(await resolveSessionId(client, ref))}/events`;
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let printed = 0;
  try {
    await followEvents({
      client,
      path,
      lastEventId: flags.since,
      signal: interrupted.signal,
      onConnected: ({ reconnect }) => {
        printNote(`${reconnect ? 'reconnected to' : 'connected to'} ${client.url(path)}`);
        if (flags.maxEvents === 0) return STOP;
      },
      onEvent: (event) => {
        if (flags.json) printJsonLine(event);
        else printLine(formatEvent(event));
        if (flags.maxEvents !== undefined && ++printed >= flags.maxEvents) return STOP;
      },
      onDisconnected: ({ reason, retryInMs }) => printNote(`disconnected (${reason}); reconnecting in ${(retryInMs / 1000).toFixed(1)}s`),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
