/**
 * Whether a prompt Claude recorded (from its UserPromptSubmit hook or transcript) is the text Aegis
 * sent. Claude may wrap a large paste in `<pasted_content>` tags and turns CRLF into LF, so both
 * sides are normalised before comparing.
 */
const PASTED = /\n*<pasted_content id="[^"]*">\n?([\s\S]*?)\n?<\/pasted_content id="[^"]*">\n*/g;

export function normalizePrompt(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(PASTED, '$1').trim();
}

export function promptMatches(recorded: string, sent: string): boolean {
  const a = normalizePrompt(recorded);
  const b = normalizePrompt(sent);
  return a === b || (b.length > 0 && a.includes(b));
}
