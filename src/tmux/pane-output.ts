/**
 * The bytes a `%output` or `%extended-output` line carries. tmux writes a pane's bytes below 0x20 and
 * the backslash as `\ooo` octal escapes and every other byte as it is (UTF-8 included, split anywhere),
 * so the payload is decoded to a Buffer here and to text only by whoever reads it, with a streaming
 * decoder of its own. Only lines a listener wants are decoded: decoding every pane's output costs CPU
 * for nothing.
 *
 *     %output %3 hello\015\012
 *     %extended-output %3 1234 : hello\015\012     (with pause-after: the age in ms, then " : ")
 */

const BACKSLASH = 0x5c;
const SPACE = 0x20;
const COLON = 0x3a;

/** The payload's bytes, unescaped; the line is the whole notification, as read (no line break). */
export function paneOutputBytes(line: Buffer): Buffer {
  const start = payloadStart(line);
  const out = Buffer.allocUnsafe(line.length - start);
  let length = 0;
  for (let i = start; i < line.length; i++) {
    const byte = line[i]!;
    if (byte === BACKSLASH && i + 3 < line.length && isOctal(line[i + 1]) && isOctal(line[i + 2]) && isOctal(line[i + 3])) {
      out[length++] = ((line[i + 1]! - 0x30) << 6) | ((line[i + 2]! - 0x30) << 3) | (line[i + 3]! - 0x30);
      i += 3;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

/** Where the data begins: after `%output %<pane> `, or after the ` : ` of `%extended-output %<pane> <age> … : `. */
function payloadStart(line: Buffer): number {
  const afterName = line.indexOf(SPACE);
  const afterPane = afterName < 0 ? -1 : line.indexOf(SPACE, afterName + 1);
  if (afterPane < 0) return line.length;
  if (line[1] === 0x6f /* o: %output */) return afterPane + 1;
  // %extended-output: the fields after the pane end at the first " : ".
  for (let i = afterPane + 1; i + 2 < line.length; i++) {
    if (line[i] === SPACE && line[i + 1] === COLON && line[i + 2] === SPACE) return i + 3;
  }
  return line.length;
}

function isOctal(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x37;
}
