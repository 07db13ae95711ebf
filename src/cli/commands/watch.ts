/**
 * `aegis watch [id]`: follows the daemon's events (all sessions, or one) and prints a line per event,
 * or the event's JSON per line with --json. It reconnects on its own (see client/event-stream.ts) and
 * runs until interrupted, or until --max-events events were printed; `--max-events 0` only checks
 * that the stream opens. Connection notes go to stderr so stdout holds only events.
 *
 * With `--until idle|exited` it waits for one session to get there and exits with the outcome, so a
 * script can wait on a turn: 0 when it got there, 1 when the session exited first or a turn failed.
 */
import { Option, type Command } from 'commander';
import { followEvents, STOP } from '../../client/event-stream.js';
import { integer } from '../arguments.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { formatEvent } from '../event-format.js';
import { CliError, UsageError } from '../exit-codes.js';
import { printJsonLine, printLine, printNote } from '../output.js';
import { resolveSessionId } from '../session-ref.js';
import { UNTIL_TARGETS, untilTracker, type UntilTarget } from '../watch-until.js';

interface WatchFlags extends ClientFlags {
  maxEvents?: number;
  since?: string;
  until?: UntilTarget;
}

export function registerWatch(program: Command): void {
  const command = program
    .command('watch')
    .description("follow events as they happen: every session's, or one session's")
    .argument('[id]', 'session id, unique id prefix or name (default: all sessions)')
    .option('--max-events <n>', 'stop after this many events (0: stop once connected)', integer(0))
    .option('--since <event-id>', "first replay the events after this id still in the daemon's buffer (0: all of them)", (v) => String(integer(0)(v)))
    .addOption(new Option('--until <status>', 'stop when the session is idle (its turn ended) or exited; exit 1 if it exited or a turn failed first').choices(UNTIL_TARGETS));
  addClientOptions(command).action(watch);
}

async function watch(ref: string | undefined, flags: WatchFlags): Promise<void> {
  if (flags.until !== undefined && ref === undefined) throw new UsageError('--until needs a session id');
  const client = clientFrom(flags);
  const sessionId = ref === undefined ? undefined : await resolveSessionId(client, ref);
  const path = sessionId === undefined ? '/v1/events' : `/v1/sessions/${encodeURIComponent(sessionId)}/events`;
  const interrupted = new AbortController();
  const until = flags.until === undefined || sessionId === undefined ? undefined : untilTracker(flags.until, () => interrupted.abort());
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
        // Events from now on are seen; the status now covers what happened before (a turn already over).
        if (until && !reconnect && flags.since === undefined) void client.getSession(sessionId!).then(until.sawSession, until.failed);
      },
      onEvent: (event) => {
        if (flags.json) printJsonLine(event);
        else printLine(formatEvent(event));
        if (until?.sawEvent(event)) return STOP;
        if (flags.maxEvents !== undefined && ++printed >= flags.maxEvents) return STOP;
      },
      onDisconnected: ({ reason, retryInMs }) => printNote(`disconnected (${reason}); reconnecting in ${(retryInMs / 1000).toFixed(1)}s`),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (until) {
    const outcome = until.outcome();
    if (outcome.error) throw outcome.error;
    if (!outcome.reached) throw new CliError(outcome.note ?? `stopped before the session was ${flags.until}`);
    printNote(outcome.note ?? `session is ${flags.until}`);
  }
}
