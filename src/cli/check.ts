/** One verdict of `aegis doctor`: what was found and, when it is wrong, what to do about it. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
  /** A shell command that fixes the failure, when one can. */
  fix?: string;
  /** Passed, but with something the operator should change. */
  warn?: boolean;
}
