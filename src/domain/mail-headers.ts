/**
 * Pure helpers for RFC 5322 header blocks: unfolding, RFC 2047 encoded-words, 8-bit (RFC 6532)
 * values, MIME parameters and message-id lists. Used by the mail adapter and by bounce analysis,
 * which reads the header blocks of delivery reports and returned messages itself.
 */

import { idTokens } from './message-id-tokens.js';

/** One header field after unfolding; `value` keeps the text exactly as found (not decoded). */
export interface HeaderField {
  name: string;
  value: string;
}

/** Longest message id we keep; RFC 5322 only bounds the line (998), anything near that is junk. */
const MAX_MESSAGE_ID_LENGTH = 320;

const FIELD_LINE = /^([!-9;-~]+)[ \t]*:(.*)$/s;

/** Charset names seen in mail that the WHATWG TextDecoder does not know under that name. */
const CHARSET_ALIASES: Record<string, string> = {
  cp932: 'shift_jis',
  'windows-31j': 'shift_jis',
  ms932: 'shift_jis',
  cp949: 'euc-kr',
  ms949: 'euc-kr',
  cp936: 'gbk',
  ms936: 'gbk',
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  'iso-2022-jp-3': 'iso-2022-jp',
  ascii: 'us-ascii',
  'x-unknown': 'windows-1252',
  unknown: 'windows-1252',
};

/**
 * Splits a header block into fields, unfolding continuation lines (RFC 5322 §2.2.3). Accepts CRLF,
 * LF-only and CR-only line ends. A line that is neither a field nor a continuation is appended to
 * the field before it, which is how broken folding (a continuation without leading space) reads.
 */
export function parseHeaderBlock(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '') break;
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line)) {
      if (last) last.value += line;
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (m) {
      fields.push({ name: (m[1] ?? '').toLowerCase(), value: (m[2] ?? '').replace(/^[ \t]+/, '') });
    } else if (last) {
      last.value += ' ' + line;
    }
  }
  for (const f of fields) f.value = f.value.replace(/[ \t]+$/, '');
  return fields;
}

/** Groups fields by lower-case name, keeping every value in order of appearance. */
export function headerMap(fields: readonly HeaderField[]): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const f of fields) (map[f.name] ??= []).push(f.value);
  return map;
}

/** First value of a header from a map built by {@link headerMap}, or null. */
export function firstHeader(headers: Record<string, string[]>, name: string): string | null {
  return headers[name.toLowerCase()]?.[0] ?? null;
}

/** Something that turns bytes into text. */
export interface BytesDecoder {
  decode(bytes: Uint8Array): string;
}

/** windows-1252 characters for bytes 0x80–0x9F; the other bytes are their Latin-1 code points. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * WHATWG maps latin1, iso-8859-1, us-ascii and friends to windows-1252, but Node 20's TextDecoder
 * decodes them as plain Latin-1 (0x93 becomes U+0093 instead of a quotation mark), so this one is
 * done by hand.
 */
const WINDOWS_1252: BytesDecoder = {
  decode: (bytes) => {
    let out = '';
    for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
    return out;
  },
};

/** A decoder for a MIME charset name, or null when the name is unknown. */
export function charsetDecoder(charset: string, fatal = false): BytesDecoder | null {
  const name = charset.trim().toLowerCase().replace(/^"|"$/g, '');
  const label = CHARSET_ALIASES[name] ?? name;
  try {
    const decoder = new TextDecoder(label, { fatal });
    return decoder.encoding === 'windows-1252' ? WINDOWS_1252 : decoder;
  } catch {
    return null;
  }
}

/**
 * Turns the bytes of a header value (given as a latin1 "binary" string) into Unicode. 8-bit values
 * are UTF-8 per RFC 6532; when they are not valid UTF-8 the message's own charset is the best guess
 * (old Japanese and Russian mailers put raw Shift_JIS/KOI8-R there), then windows-1252.
 */
export function decodeBinaryText(binary: string, fallbackCharset?: string | null): string {
  if (!/[\x80-\xff]/.test(binary)) return binary;
  const bytes = Buffer.from(binary, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const fallback = (fallbackCharset && charsetDecoder(fallbackCharset)) || WINDOWS_1252;
    return fallback.decode(bytes);
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?]*)\?=/g;

function encodedWordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  const bytes: number[] = [];
  const t = text.replace(/_/g, ' ');
  for (let i = 0; i < t.length; i++) {
    const hex = t.slice(i + 1, i + 3);
    if (t[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(t.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function isKnownCharset(charset: string): boolean {
  return /^(?:unicode-1-1-)?utf-7$/i.test(charset) || charsetDecoder(charset) !== null;
}

/** RFC 2152 UTF-7, which TextDecoder does not know: `+` starts modified base64 of UTF-16BE. */
function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)-?/g, (_whole, b64: string) => {
    if (b64 === '') return '+';
    const bytes = Buffer.from(b64, 'base64');
    return new TextDecoder('utf-16be').decode(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  });
}

/**
 * Decodes the bytes of adjacent encoded-words in one charset. Each word is tried on its own first:
 * stateful charsets (ISO-2022-JP, mikel-mail rfc2822/example14) reset at every word and joining
 * them yields U+FFFD; a multibyte character split across two words only decodes joined.
 */
function decodeWordRun(charset: string, chunks: Buffer[]): string {
  if (/^(?:unicode-1-1-)?utf-7$/i.test(charset)) return decodeUtf7(Buffer.concat(chunks).toString('latin1'));
  const strict = charsetDecoder(charset, true);
  if (strict) {
    try {
      return chunks.map((c) => strict.decode(c)).join('');
    } catch {
      // fall through to the joined bytes
    }
  }
  const joined = Buffer.concat(chunks);
  return charsetDecoder(charset)?.decode(joined) ?? joined.toString('latin1');
}

/**
 * Decodes RFC 2047 encoded-words. Whitespace between adjacent encoded-words is dropped (§6.2) and
 * adjacent words in the same charset are joined before decoding, because mailers split multibyte
 * characters across words. The RFC 2231 §5 language suffix (`utf-8*en`) is ignored. Words in an
 * unknown charset are left as they are.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const out: string[] = [];
  let pendingCharset: string | null = null;
  let pendingChunks: Buffer[] = [];
  let last = 0;
  const flush = (): void => {
    if (pendingCharset === null) return;
    out.push(decodeWordRun(pendingCharset.split('*')[0] ?? '', pendingChunks));
    pendingCharset = null;
    pendingChunks = [];
  };
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    const charset = (m[1] ?? '').toLowerCase();
    last = (m.index ?? 0) + m[0].length;
    if (!isKnownCharset(charset.split('*')[0] ?? '')) {
      flush();
      out.push(between, m[0]);
      continue;
    }
    if (pendingCharset === null || !/^[ \t\r\n]*$/.test(between)) {
      flush();
      out.push(between);
    }
    const bytes = encodedWordBytes(m[2] ?? 'Q', m[3] ?? '');
    if (pendingCharset !== charset) {
      flush();
      pendingCharset = charset;
    }
    pendingChunks.push(bytes);
  }
  flush();
  out.push(value.slice(last));
  return out.join('');
}

/** Removes RFC 5322 comments `( ... )` (nested, with quoted-pairs), leaving quoted strings alone. */
export function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (depth === 0 && c === '"') quoted = !quoted;
    if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

/**
 * Splits a MIME header value such as Content-Type into its lower-case main value and parameters
 * (names lower-case, quotes removed). RFC 2231 continuations are joined but not charset-decoded.
 */
export function parseMimeValue(value: string): { value: string; params: Record<string, string> } {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\' && quoted) {
      current += value[i + 1] ?? '';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  const params: Record<string, string> = {};
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    const cont = /^(.+?)\*\d+\*?$/.exec(name);
    if (cont?.[1]) params[cont[1]] = (params[cont[1]] ?? '') + v;
    else if (name) params[name] = v;
  }
  return { value: stripComments(parts[0] ?? '').trim().toLowerCase(), params };
}

/** One side of a message id: no whitespace, no control character, nothing that ends or splits `<...>`. */
const ID_PART = /^[^\s<>()[\]\\,;"@\p{Cc}]+$/u;
const ID_DOMAIN_LITERAL = /^\[[^\s<>()[\]\\,;"@\p{Cc}]+\]$/u;

/**
 * The one rule for a message id (without angle brackets), both for ids read from received mail and
 * for ids written into mail we send: `id-left "@" id-right` (RFC 5322 §3.6.4) with exactly one `@`,
 * no whitespace, control characters or `<>()\,;"`, brackets only around a whole domain literal
 * (`x@[192.0.2.1]`), UTF-8 allowed (RFC 6532 §3.2), at most 320 characters. An id failing it
 * (`abc@def@x`) is dropped on the way in, so every stored id can be written out again.
 */
export function isValidMessageId(id: string): boolean {
  if (id.length > MAX_MESSAGE_ID_LENGTH) return false;
  const at = id.indexOf('@');
  if (at <= 0) return false;
  const right = id.slice(at + 1);
  return ID_PART.test(id.slice(0, at)) && (ID_PART.test(right) || ID_DOMAIN_LITERAL.test(right));
}

/** Header fields whose `local@domain` tokens are addresses of the message, see {@link messageAddresses}. */
const ADDRESS_FIELDS = ['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'mail-followup-to', 'mail-reply-to'];

/**
 * Every `local@domain` token in the address fields of a header map (From, Sender, Reply-To, To,
 * Cc, Bcc and mutt's Mail-Followup-To / Mail-Reply-To), lower-case, including tokens in display
 * names and comments. None of them is a message id.
 */
export function messageAddresses(headers: Record<string, string[]>): string[] {
  const out = new Set<string>();
  for (const name of ADDRESS_FIELDS) {
    for (const value of headers[name] ?? []) {
      for (const m of value.matchAll(/[^\s<>()[\]",;:]+@[^\s<>()[\]",;:]+/g)) out.add(m[0].toLowerCase());
    }
  }
  return [...out];
}

/** What {@link extractMessageIds} may know about the message the header values come from. */
export interface MessageIdContext {
  /** The message's own addresses ({@link messageAddresses}); a token equal to one is never an id. */
  addresses?: Iterable<string>;
}

/**
 * Message ids from Message-ID / In-Reply-To / References values, without angle brackets, in order,
 * deduplicated. Whitespace inside brackets is removed (broken folding splits ids across lines) and
 * ids may be separated by commas. A bare `local@domain` word counts only when its value holds no
 * bracketed id (clients that write one bare id). The author named in a reply phrase (see idTokens)
 * and the message's own addresses never count: an address taken for an id becomes a thread key
 * that every conversation with that person shares. Anything without an `@` or absurdly long is
 * dropped.
 */
export function extractMessageIds(values: readonly string[], context: MessageIdContext = {}): string[] {
  const addresses = new Set([...(context.addresses ?? [])].map((a) => a.toLowerCase()));
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const value of values) {
    // Quoted strings hold phrases ("John's message of ..."), never ids.
    const text = stripComments(value).replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => ' '.repeat(quoted.length));
    const candidates = idTokens(text)
      .filter((t) => !t.phrase)
      .map((t) => ({ bracketed: t.bracketed, id: t.text.replace(/\s+/g, '').replace(/^<+|>+$/g, '') }))
      .filter((t) => isValidMessageId(t.id) && !addresses.has(t.id.toLowerCase()));
    const anyBracketed = candidates.some((t) => t.bracketed);
    for (const { id } of candidates.filter((t) => t.bracketed || !anyBracketed)) {
      if (seen.has(id)) continue;
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}

/**
 * The address inside an address header value: the part in angle brackets, else the first
 * `local@domain` token; '' for the null path `<>` (RFC 5321 §4.5.5), null when nothing is there.
 */
export function extractPathAddress(value: string): string | null {
  const text = stripComments(value).trim();
  const bracketed = /<([^<>]*)>/.exec(text);
  if (bracketed) return (bracketed[1] ?? '').trim().replace(/^@[^:]*:/, '');
  const token = /[^\s<>,;"]+@[^\s<>,;"]+/.exec(text);
  if (token) return token[0];
  return text === '' ? null : text;
}
