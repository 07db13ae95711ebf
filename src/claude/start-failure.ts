/**
 * Why Claude Code never showed its prompt, read from its last screen: first-run onboarding that could
 * not reach its service, a login it wants, or a network error. Pure; the hint is what an operator
 * can do about it.
 */

/**
 * First-run screens Aegis never answers (the onboarding's theme picker, its choice of login method):
 * a session showing one while it starts waits for a person at the machine, so it ends at once rather
 * than at its start deadline. Only read while the session starts: no prompt has been typed and no
 * reply drawn yet, so these words can only be Claude's own.
 */
const FIRST_RUN_SCREENS = [/Choose the text style/i, /Select login method/i, /Let's get started/i];

export function showsFirstRunScreen(screen: string): boolean {
  return FIRST_RUN_SCREENS.some((test) => test.test(screen));
}

const CAUSES: Array<{ test: RegExp; hint: string }> = [
  {
    test: /Unable to connect to Anthropic services|Failed to connect to/i,
    hint:
      "Claude Code could not reach its service (first-run onboarding checks it even with ANTHROPIC_BASE_URL set): give the daemon's user a Claude Code config with hasCompletedOnboarding (see docs/claude-code.md) or network access",
  },
  {
    test: /Select login method|Please run \/login|Not logged in|Log in with|Paste code here/i,
    hint: "Claude Code wants a login: set ANTHROPIC_API_KEY in the daemon's environment (and approve it in Claude Code's config), or log in once by hand as the daemon's user",
  },
  {
    test: /Welcome to Claude Code|Choose the text style|Let's get started/i,
    hint: "Claude Code is in its first-run onboarding, which Aegis does not answer: run `claude` once by hand as the daemon's user, or set hasCompletedOnboarding in its config (see docs/claude-code.md)",
  },
  {
    // A shell's or env's "<program>: Permission denied" ends its line; Node's "EACCES: permission denied, open …" does not.
    test: /command not found|No such file or directory|not found|: Permission denied$/im,
    hint: 'The Claude Code command could not be run: check AEGIS_CLAUDE_COMMAND and the PATH the daemon passes on (`aegis doctor` checks both)',
  },
];

/** What a shell's exit status says of a command it could not start, whatever the (often empty) screen shows. */
const EXIT_CAUSES: Record<number, string> = {
  127: 'The Claude Code command was not found (exit code 127): check AEGIS_CLAUDE_COMMAND (claudeCommand) and the PATH the daemon passes on (`aegis doctor` checks both)',
  126: 'The Claude Code command could not be executed (exit code 126): it is not an executable program; check AEGIS_CLAUDE_COMMAND (claudeCommand) (`aegis doctor` checks it)',
};

/**
 * The likely cause of a failed start and what to do, or a general hint pointing at the last screen
 * (never at an empty one: a command that died at once may leave none).
 */
export function startFailureHint(screen: string, { timedOutMs, exitCode }: { timedOutMs?: number; exitCode?: number | null } = {}): string {
  const known = CAUSES.find((cause) => cause.test.test(screen));
  if (known) return known.hint;
  const byExit = typeof exitCode === 'number' ? EXIT_CAUSES[exitCode] : undefined;
  if (byExit) return byExit;
  const blank = screen.trim() === '';
  if (timedOutMs !== undefined) {
    const seconds = Math.round(timedOutMs / 1000);
    if (blank) return `Claude Code did not show its prompt within ${seconds} s (startTimeoutMs), and its screen stayed empty: run the Claude command by hand as the daemon's user to see where it stops`;
    return `Claude Code did not show its prompt within ${seconds} s (startTimeoutMs): exit.lastScreen shows where it stopped`;
  }
  if (blank) {
    const code = typeof exitCode === 'number' ? ` (exit code ${exitCode})` : '';
    return `Claude Code exited before it showed its prompt${code} and printed nothing: run the Claude command by hand as the daemon's user to see why (\`aegis doctor\` checks it)`;
  }
  return 'Claude Code exited before it showed its prompt: exit.lastScreen shows its last words';
}
