/**
 * Which transcript files a session may follow. A path a hook reports is followed only if it is a
 * transcript in the session's own project directory (Claude starts a new file there after /clear), or
 * the session's own file under another directory name of the same projects root (Claude shortens long
 * directory names its own way): a hook body must not make the daemon read another project's
 * conversation or files elsewhere.
 */
import { basename, dirname } from 'node:path';

export function isTranscriptBeside(reported: string, own: string): boolean {
  if (!reported.endsWith('.jsonl') || /(^|\/)\.\.?(\/|$)/.test(reported) || reported.includes('\0')) return false;
  if (dirname(reported) === dirname(own)) return true;
  return basename(reported) === basename(own) && dirname(dirname(reported)) === dirname(dirname(own));
}
