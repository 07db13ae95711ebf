/**
 * `aegis send <id> [text...]`: types a message to Claude and waits until Claude accepted it. The text
 * is the arguments joined by spaces, or stdin when it is `-` or absent and stdin is not a terminal
 * (never both: `-` mixed with other words is sent as typed).
 */
import type { Command } from 'commander';
import type { DeliveryResult } from '../../client/types.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { CliError, UsageError } from '../exit-codes.js';
import { plural, printJson, printLine, shortId } from '../output.js';
import { resolveSessionId } from '../session-ref.js';

export function registerSend(program: Command): void {
  const command = program
    .command('send')
    .description('send a message to a session and wait until Claude accepted it')
    .argument('<id>', 'session id, unique id prefix or name')
    .argument('[text...]', 'the message; "-" or nothing reads it from stdin');
  addClientOptions(command).action(send);
}

async function send(ref: string, words: string[], flags: ClientFlags): Promise<void> {
  const text = await messageText(words);
  const client = clientFrom(flags);
  const id = await resolveSessionId(client, ref);
  const result = await client.send(id, text);
  if (flags.json) printJson(result);
  else printLine(`${result.delivered ? 'delivered' : 'not delivered'} after ${plural(result.attempts, 'attempt')}`);
  if (!result.delivered) throw new CliError(`the message was not delivered: ${undeliveredReason(result, id)}`);
}

/**
 * Why a text was not delivered and what to do about it, for the CLI's error line. A text Claude may
 * still take is looked for before it is sent again: sending it blindly could deliver it twice.
 */
export function undeliveredReason(result: DeliveryResult, id: string): string {
  if (result.mayArriveLater) {
    return `Claude did not confirm it in time, and it may still arrive: look with aegis read ${shortId(id)} (or aegis pane ${shortId(id)}) before sending it again`;
  }
  return result.error ?? 'Claude did not take it';
}

async function messageText(words: string[]): Promise<string> {
  const fromStdin = (words.length === 1 && words[0] === '-') || words.length === 0;
  if (!fromStdin) return words.join(' ');
  if (process.stdin.isTTY) throw new UsageError('no message: give it as arguments, or pipe it in (aegis send <id> - < file)');
  const text = (await readAll(process.stdin)).replace(/\r?\n$/, ''); // the newline `echo` adds is not part of the message
  if (!text.trim()) throw new UsageError('the message read from stdin is empty');
  return text;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
