/**
 * `aegis approve|reject|answer <id>`: decide what a session waits on. Without --permission the
 * daemon decides the session's oldest pending request; `aegis permissions` shows the ids.
 */
import type { Command } from 'commander';
import { integer } from '../arguments.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { UsageError } from '../exit-codes.js';
import { printJson, printLine } from '../output.js';
import { toolInput } from '../permission-format.js';
import { resolveSessionId } from '../session-ref.js';

interface DecideFlags extends ClientFlags {
  permission?: string;
  always?: boolean;
  message?: string;
  option?: number;
}

export function registerDecisions(program: Command): void {
  const approve = program
    .command('approve')
    .description("allow a session's pending permission request")
    .argument('<id>', 'session id, unique id prefix or name')
    .option('--permission <permission-id>', 'which request (default: the oldest; see aegis permissions)')
    .option('--always', "also allow it from now on, as Claude's own suggestion proposes");
  addClientOptions(approve).action(async (ref: string, flags: DecideFlags) => {
    const client = clientFrom(flags);
    const answer = await client.approve(await resolveSessionId(client, ref), { permissionId: flags.permission, always: flags.always });
    if (flags.json) return printJson(answer);
    printLine(`approved ${answer.permission.toolName} ${toolInput(answer.permission.toolInput)} (${answer.permission.id})`);
  });

  const reject = program
    .command('reject')
    .description("deny a session's pending permission request")
    .argument('<id>', 'session id, unique id prefix or name')
    .option('--permission <permission-id>', 'which request (default: the oldest; see aegis permissions)')
    .option('--message <text>', 'what Claude is told (default "Denied through Aegis.")');
  addClientOptions(reject).action(async (ref: string, flags: DecideFlags) => {
    const client = clientFrom(flags);
    const answer = await client.reject(await resolveSessionId(client, ref), { permissionId: flags.permission, message: flags.message });
    if (flags.json) return printJson(answer);
    printLine(`rejected ${answer.permission.toolName} ${toolInput(answer.permission.toolInput)} (${answer.permission.id})`);
  });

  const answer = program
    .command('answer')
    .description("answer a session's pending question: with text, or with --option <n>")
    .argument('<id>', 'session id, unique id prefix or name')
    .argument('[answer]', "the answer: an option's label, or free text")
    .option('--option <n>', 'pick the option with this number (from 0, as aegis permissions shows them)', integer(0))
    .option('--question <question-id>', 'which question (default: the oldest)');
  addClientOptions(answer).action(async (ref: string, text: string | undefined, flags: DecideFlags & { question?: string }) => {
    if ((text === undefined) === (flags.option === undefined)) throw new UsageError('give either an answer or --option <n>');
    const client = clientFrom(flags);
    const choice = text !== undefined ? { answer: text } : { optionIndex: flags.option! };
    const result = await client.answer(await resolveSessionId(client, ref), { ...choice, questionId: flags.question });
    if (flags.json) return printJson(result);
    printLine(`answered ${Object.values(result.answers).join(', ')} (${result.question.id})`);
  });
}
