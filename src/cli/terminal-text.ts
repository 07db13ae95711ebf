/**
 * Text from the daemon made safe for a terminal. Anything the daemon reports may come from a session
 * (a reply, a file name, a work dir), and a terminal obeys what it prints: ESC and the C1 controls
 * start sequences that clear the screen, set the title or write the clipboard (OSC 52), a carriage
 * return or line break lets text overwrite a line or pass for another row, and bidi overrides and
 * invisible characters make text read differently from what it is. These are shown escaped instead,
 * visibly (`\x1b`, `\n`, `\u202e`); everything else, any script or emoji, prints as it is.
 */

/**
 * C0 controls but TAB, DEL, C1 controls; the Arabic letter mark, zero-width space, left-to-right and
 * right-to-left marks, line and paragraph separators, embeddings and overrides, word joiner, invisible
 * operators, isolates and deprecated format characters, the byte order mark and interlinear annotation
 * characters. Zero-width joiners and non-joiners stay: emoji and several scripts are written with them.
 */
const UNSAFE_IN_TERMINAL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
/** What JSON.stringify leaves raw of the above (it escapes C0 controls itself). */
const UNSAFE_IN_JSON = /[\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

function hex(char: string, digits: number): string {
  return char.charCodeAt(0).toString(16).padStart(digits, '0');
}

/** One line of text as it is to appear: every control and spoofing character shown escaped. */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE_IN_TERMINAL, (char) => {
    const code = char.charCodeAt(0);
    return NAMED[char] ?? (code <= 0x9f ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`);
  });
}

/** JSON for a terminal: the same value, with what JSON.stringify leaves raw written as `\uXXXX` escapes. */
export function terminalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}
