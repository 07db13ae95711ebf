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
    test: /command not found|No such file or directory|not found/i,
    hint: 'The Claude Code command could not be run: check AEGIS_CLAUDE_COMMAND and the PATH the daemon passes on (`aegis doctor` checks both)',
  },
];

/** The likely cause of a failed start and what to do, or a general hint pointing at the last screen. */
export function startFailureHint(screen: string, { timedOutMs }: { timedOutMs?: number } = {}): string {
  const known = CAUSES.find((cause) => cause.test.test(screen));
  if (known) return known.hint;
  if (timedOutMs !== undefined) {
    return `Claude Code did not show its prompt within ${Math.round(timedOutMs / 1000)} s (startTimeoutMs): exit.lastScreen shows where it stopped`;
  }
  return 'Claude Code exited before it showed its prompt: exit.lastScreen shows its last words';
}
