/**
 * `aegis create <workDir>`: starts a session (or reuses an idle one of yours in that directory).
 * stdout gets the session id alone, so `id=$(aegis create .)` works; the summary goes to stderr.
 * Without a prompt it waits until Claude is at its prompt (`idle`) or the session has ended, so a
 * session that cannot start fails the command with why. A prompt that could not be delivered makes
 * the command fail although the session exists.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CreateSessionRequest } from '../../client/types.js';
import { PERMISSION_MODES } from '../../config/schema.js';
import { amount, integer, keyValue } from '../arguments.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { CliError } from '../exit-codes.js';
import { plural, printJson, printLine, printNote, shortId } from '../output.js';
import { endedNote, waitUntilReady } from '../session-ready.js';
import { undeliveredReason } from './send.js';

interface CreateFlags extends ClientFlags {
  prompt?: string;
  name?: string;
  model?: string;
  tier?: string;
  permissionMode?: CreateSessionRequest['permissionMode'];
  env?: Record<string, string>;
  maxCostUsd?: number;
  maxTokens?: number;
  wait: number;
}

/** Longer than the daemon's default start deadline (60 s), after which it ends a session that never got ready. */
const DEFAULT_WAIT_SECONDS = 120;

export function registerCreate(program: Command): void {
  const command = program
    .command('create')
    .description('start a Claude Code session in a directory')
    .argument('<workDir>', 'the directory Claude works in (relative paths are resolved from here)')
    .option('--prompt <text>', 'first message for Claude, delivered once it is ready')
    .option('--name <name>', 'a name to recognise the session by')
    .option('--model <model>', 'the Claude model to use')
    .option('--tier <tier>', 'a model tier configured in the daemon, instead of --model')
    .addOption(new Option('--permission-mode <mode>', "Claude's permission mode").choices(PERMISSION_MODES))
    .option('--env <KEY=VALUE>', "a variable for Claude's environment (repeatable)", keyValue)
    .option('--max-cost-usd <usd>', 'the budget of the session in USD: reaching it stops its work (budgetAction)', amount)
    .option('--max-tokens <n>', 'the budget of the session in tokens of every kind together', integer(1))
    .option('--wait <seconds>', 'without --prompt: how long to wait for Claude to be ready (0: do not wait)', integer(0), DEFAULT_WAIT_SECONDS);
  addClientOptions(command).action(create);
}

async function create(workDir: string, flags: CreateFlags): Promise<void> {
  const client = clientFrom(flags);
  const request: CreateSessionRequest = { workDir: resolve(workDir) };
  if (flags.prompt !== undefined) request.prompt = flags.prompt;
  if (flags.name !== undefined) request.name = flags.name;
  if (flags.model !== undefined) request.model = flags.model;
  if (flags.tier !== undefined) request.tier = flags.tier;
  if (flags.permissionMode !== undefined) request.permissionMode = flags.permissionMode;
  if (flags.env !== undefined) request.env = flags.env;
  if (flags.maxCostUsd !== undefined) request.maxCostUsd = flags.maxCostUsd;
  if (flags.maxTokens !== undefined) request.maxTokens = flags.maxTokens;

  const session = await client.createSession(request);
  if (flags.json) printJson(session);
  else {
    printLine(session.id);
    printNote(`${session.reused ? 'reused idle' : 'started'} session ${session.name}, status ${session.status}, in ${session.workDir}`);
  }
  const delivery = session.promptDelivery;
  if (delivery && !flags.json) {
    printNote(delivery.delivered ? `prompt delivered after ${plural(delivery.attempts, 'attempt')}` : `prompt NOT delivered after ${plural(delivery.attempts, 'attempt')}`);
  }
  if (delivery && !delivery.delivered) {
    const now = await client.getSession(session.id).catch(() => null);
    // Sending again can only help a session that still runs.
    if (now?.status === 'exited') throw new CliError(`the prompt was not delivered${delivery.error ? `: ${delivery.error}` : ''}; ${endedNote(now)}`);
    const retry = delivery.mayArriveLater ? '' : `; retry with aegis send ${shortId(session.id)}`;
    throw new CliError(`the session started but the prompt was not delivered: ${undeliveredReason(delivery, session.id)}${retry}`);
  }
  if (delivery || session.status === 'idle' || flags.wait === 0) return;
  const readiness = await waitUntilReady(client, session.id, flags.wait * 1000);
  if (readiness.ready) {
    if (!flags.json) printNote(`session ${session.name} is idle: ready for aegis send ${shortId(session.id)}`);
    return;
  }
  if (readiness.ended) throw new CliError(`session ${session.name} did not start: ${endedNote(readiness.ended)}`);
  throw new CliError(`session ${session.name} is not ready: ${readiness.note} (see aegis pane ${shortId(session.id)})`);
}
