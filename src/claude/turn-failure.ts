/**
 * What to do about a turn Claude Code ended in an error (its StopFailure hook), when the error says
 * the session can do no work until someone acts: no usable key or login. Pure; the message is Claude's
 * own words, read only to tell a missing login from a key the API refused.
 */
export function turnFailureHint(error: string, message: string): string | undefined {
  if (error !== 'authentication_failed') return undefined;
  if (/Not logged in/i.test(message)) {
    return "Claude Code has no usable API key or login: set ANTHROPIC_API_KEY in the daemon's environment (a key Claude's config records as refused is not used), or log in once by hand as the daemon's user; `aegis doctor` checks both and prints the fix";
  }
  return "The model API refused Claude Code's credentials: check ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL) in the daemon's environment";
}
