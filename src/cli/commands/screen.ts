/**
 * The commands about a session's turn and screen: `aegis interrupt <id>` stops the current turn (as
 * Escape would), `aegis pane <id>` prints the screen as the daemon sees it.
 */
import type { Command } from 'commander';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { printJson, printLine, printLines, printNote, shortId } from '../output.js';
import { resolveSessionId } from '../session-ref.js';

export function registerScreen(program: Command): void {
  const interrupt = program
    .command('interrupt')
    .description("stop a session's current turn, as Escape would")
    .argument('<id>', 'session id, unique id prefix or name');
  addClientOptions(interrupt).action(async (ref: string, flags: ClientFlags) => {
    const client = clientFrom(flags);
    const result = await client.interrupt(await resolveSessionId(client, ref));
    if (flags.json) return printJson(result);
    printLine(`${result.interrupted ? 'interrupted' : 'nothing to interrupt in'} ${shortId(result.session.id)} (${result.session.name}), now ${result.session.status}`);
  });

  const pane = program
    .command('pane')
    .description("print a session's screen (for an exited session, its last screen)")
    .argument('<id>', 'session id, unique id prefix or name');
  addClientOptions(pane).action(async (ref: string, flags: ClientFlags) => {
    const client = clientFrom(flags);
    const screen = await client.pane(await resolveSessionId(client, ref));
    if (flags.json) return printJson(screen);
    printLines(screen.text.replace(/\n+$/, '').split('\n'));
    printNote(`-- ${screen.cols}x${screen.rows}`);
  });
}
