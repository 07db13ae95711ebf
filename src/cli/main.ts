/**
 * The `aegis` program: `aegis` / `aegis serve` run the daemon; every other command talks to a running
 * daemon over /v1. Commands throw; this file alone prints errors (one line, `aegis: …`, no stack) and
 * sets the exit code (see exit-codes.ts), including for commander's own usage errors.
 */
import { Command, CommanderError } from 'commander';
import { AEGIS_VERSION } from '../version.js';
import { registerAttach } from './commands/attach.js';
import { registerAudit } from './commands/audit.js';
import { registerBackup } from './commands/backup.js';
import { registerCreate } from './commands/create.js';
import { registerDecisions } from './commands/decide.js';
import { registerDoctor } from './commands/doctor.js';
import { registerHealth } from './commands/health.js';
import { registerKeys } from './commands/keys.js';
import { registerKill } from './commands/kill.js';
import { registerList } from './commands/list.js';
import { registerMetrics } from './commands/metrics.js';
import { registerPermissions } from './commands/permissions.js';
import { registerRead } from './commands/read.js';
import { registerScreen } from './commands/screen.js';
import { registerSend } from './commands/send.js';
import { registerServe } from './commands/serve.js';
import { registerWatch } from './commands/watch.js';
import { ExitCode, UsageError, describeError, exitCodeFor } from './exit-codes.js';
import { printNote } from './output.js';

const HELP_FOOTER = `
Environment:
  AEGIS_URL, AEGIS_TOKEN   defaults for --url and --token (without a URL: AEGIS_HOST/AEGIS_PORT and
                           AEGIS_AUTH_TOKEN/AEGIS_AUTH_TOKEN_FILE, as the daemon reads them)
  AEGIS_* / MANUS_*        the daemon's configuration (AEGIS_CONFIG has no MANUS_ twin), read by serve
                           and doctor, and by the other commands to find the daemon, its token, its
                           state dir or its tmux socket (see docs/cli.md)

Exit codes: 0 ok, 1 API or runtime error, 2 bad usage, 3 daemon unreachable,
            4 not found, 5 session in the wrong state, 6 unauthorized or forbidden`;

export function buildProgram(): Command {
  const program = new Command('aegis')
    .description('Run Claude Code sessions in tmux and drive them over HTTP')
    .version(AEGIS_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', HELP_FOOTER)
    // Set before the commands are added: subcommands inherit both.
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(message.replace(/^error: /, 'aegis: ')) });
  const commands = [
    registerServe, registerCreate, registerList, registerSend, registerRead, registerKill, registerWatch,
    registerPermissions, registerDecisions, registerScreen, registerAttach, registerHealth, registerDoctor, registerKeys,
    registerAudit, registerBackup, registerMetrics,
  ];
  for (const register of commands) {
    register(program);
  }
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  stopWhenOutputIsClosed();
  const program = buildProgram();
  try {
    rejectUnknownCommand(program, argv[2]);
    await program.parseAsync(argv);
    process.exitCode = ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (or the help / version) already.
      process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      return;
    }
    printNote(`aegis: ${describeError(err)}`);
    process.exitCode = exitCodeFor(err);
  }
}

/**
 * A reader that went away (`aegis watch | head -1`) makes every later write fail with EPIPE: the
 * output is no longer wanted, so the program stops there quietly with exit 0 (what `head` shows is
 * all the reader wanted), rather than dying of an unhandled error with a stack trace.
 */
function stopWhenOutputIsClosed(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(ExitCode.OK);
  });
}

/**
 * `serve` is the default command, so commander would read a mistyped command as an argument to serve
 * ("too many arguments for 'serve'"); name the real problem instead.
 */
function rejectUnknownCommand(program: Command, first: string | undefined): void {
  if (first === undefined || first.startsWith('-')) return;
  const names = program.commands.map((c) => c.name());
  if (first === 'help' || program.commands.some((c) => c.name() === first || c.aliases().includes(first))) return;
  throw new UsageError(`unknown command '${first}'; the commands are ${names.join(', ')} (see aegis --help)`);
}
