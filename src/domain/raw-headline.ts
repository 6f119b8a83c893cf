/**
 * The Subject and sender address of a raw mail read straight from its header block, for mail that
 * could not be parsed whole (too large, malformed): enough for an admin to recognise it. Pure; never
 * throws; anything unreadable is null.
 */

/** The header block is looked for in the first bytes only: a huge or broken mail costs no more. */
const HEAD_BYTES = 64 * 1024;

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

function decodeWord(charset: string, encoding: string, text: string): string {
  const bytes = encoding.toUpperCase() === 'B'
    ? Buffer.from(text, 'base64')
    : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  try {
    return new TextDecoder(charset.split('*')[0]!.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Decodes RFC 2047 encoded words (the whitespace between two adjacent words is dropped). */
function decodeHeader(value: string): string {
  return value.replace(/(\?=)\s+(=\?)/g, '$1$2').replace(ENCODED_WORD, (_m, cs: string, enc: string, text: string) => decodeWord(cs, enc, text));
}

/** The unfolded value of the first header of this name, or null. */
function headerValue(head: string, name: string): string | null {
  const m = new RegExp(`^${name}[ \\t]*:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]/g, ' ').trim() : null;
}

/** `{subject, from}` of a raw mail; `from` is the lower-case address. */
export function rawHeadline(raw: Buffer): { subject: string | null; from: string | null } {
  const text = raw.subarray(0, HEAD_BYTES).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end >= 0 ? text.slice(0, end) : text;
  const subjectRaw = headerValue(head, 'Subject');
  const subject = subjectRaw ? decodeHeader(Buffer.from(subjectRaw, 'latin1').toString('utf8')).slice(0, 500) || null : null;
  const fromRaw = headerValue(head, 'From');
  const address = fromRaw ? (/<([^<>\s]+@[^<>\s]+)>/.exec(fromRaw)?.[1] ?? /([^\s<>",;]+@[^\s<>",;]+)/.exec(fromRaw)?.[1] ?? null) : null;
  return { subject, from: address ? address.toLowerCase().slice(0, 320) : null };
}
