import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type SimpleParserOptions } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { AppError, isAppError } from '../domain/errors.js';
import { plainTextOfHtml } from '../domain/html-scan.js';
import type { MailAddress, MailAttachment, ParsedMail } from '../domain/mail.js';
import {
  decodeEncodedWords,
  decodeBinaryText,
  extractMessageIds,
  extractPathAddress,
  firstHeader,
  headerMap,
  messageAddresses,
  parseHeaderBlock,
  parseMimeValue,
  stripComments,
} from '../domain/mail-headers.js';

/** Options for {@link parseMail}. */
export interface ParseMailOptions {
  /** Messages larger than this many bytes are refused with MAIL_TOO_LARGE. */
  maxBytes: number;
  /**
   * How much work to spend on the message: 'full' (the default); 'without-html-text' leaves out the
   * MIME parser's HTML-to-text conversion, whose cost grows with the square of the HTML's nesting,
   * and reads the text of an HTML-only mail with a linear scan instead; 'headers-and-raw-text' leaves
   * out the MIME parser: the header fields, and the body undecoded as text.
   */
  mode?: ReadingMode;
}

/** See {@link ParseMailOptions.mode}, from the most work and the most faithful result to the least. */
export const READING_MODES = ['full', 'without-html-text', 'headers-and-raw-text'] as const;
export type ReadingMode = (typeof READING_MODES)[number];

/** The longest body text a mail read as headers and raw text keeps; the raw source has the rest. */
const MAX_RAW_TEXT = 1_000_000;

/** Fields that show a header block belongs to a mail and not to some other RFC 822-ish text. */
const MAIL_FIELDS = new Set([
  'from', 'sender', 'to', 'cc', 'subject', 'date', 'message-id', 'received', 'return-path',
  'mime-version', 'content-type', 'delivered-to', 'reply-to', 'in-reply-to', 'references',
]);

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

const PARSER_OPTIONS: SimpleParserOptions & { ignoreEmbedded: boolean } = {
  skipHtmlToText: false,
  // cid: links stay as they are; the web layer rewrites them to its own attachment URLs.
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  // Keep message/delivery-status as an attachment instead of merging it into the text body,
  // and (mailsplit option) keep every message/rfc822 part whole instead of descending into it:
  // bounce analysis reads both.
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
};

const WITHOUT_HTML_TEXT: typeof PARSER_OPTIONS = { ...PARSER_OPTIONS, skipHtmlToText: true };

/**
 * Parses one raw RFC 5322 message into a {@link ParsedMail}. Throws AppError MAIL_TOO_LARGE when
 * `raw` exceeds `opts.maxBytes`, and AppError MAIL_UNPARSEABLE when the bytes are not a mail (no
 * header block) or the MIME parser fails; it never returns a half-parsed message. When the full
 * parse fails, the message is read once more without HTML-to-text (which gives up on deep nesting),
 * so a mail is not refused for its HTML alone.
 */
export async function parseMail(raw: Buffer, opts: ParseMailOptions): Promise<ParsedMail> {
  if (raw.length > opts.maxBytes) {
    throw new AppError('MAIL_TOO_LARGE', `message is ${raw.length} bytes, the limit is ${opts.maxBytes}`, {
      details: { size: raw.length, maxBytes: opts.maxBytes },
    });
  }
  const message = stripMboxFromLine(raw);
  const headerText = headerBlock(message).toString('latin1');
  const fields = parseHeaderBlock(headerText);
  const problem = notAMailReason(headerText, fields);
  if (problem) throw unparseable(problem);
  const mode = opts.mode ?? 'full';
  if (mode === 'headers-and-raw-text') return headersAndRawText(message, fields);
  try {
    return await parseMime(message, fields, mode === 'full');
  } catch (err) {
    if (mode !== 'full' || !isAppError(err, 'MAIL_UNPARSEABLE')) throw err;
    return parseMime(message, fields, false);
  }
}

async function parseMime(message: Buffer, fields: ReturnType<typeof parseHeaderBlock>, htmlToText: boolean): Promise<ParsedMail> {
  let parsed;
  try {
    parsed = await simpleParser(message, htmlToText ? PARSER_OPTIONS : WITHOUT_HTML_TEXT);
  } catch (err) {
    throw unparseable(`MIME parser failed: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  try {
    const mail = toParsedMail(parsed, fields);
    if (!htmlToText && mail.text === null && mail.html !== null) mail.text = plainTextOfHtml(mail.html) || null;
    if (mail.text === null && mail.html === null && mail.attachments.length === 0) {
      mail.text = unreadableBody(message, mail.headers['content-type']?.[0] ?? null);
    }
    return mail;
  } catch (err) {
    throw unparseable(`cannot read the parsed message: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/**
 * The message without the MIME parser, for a mail it cannot get through in time: the header fields
 * as always, the addresses by nodemailer's address parser, and the body (at most {@link MAX_RAW_TEXT}
 * characters of it) undecoded as the text; no HTML, no attachments.
 */
function headersAndRawText(message: Buffer, fields: ReturnType<typeof parseHeaderBlock>): ParsedMail {
  const rawHeaders = headerMap(fields);
  const list = (name: string): AddressObject | undefined => {
    const values = rawHeaders[name];
    if (!values?.length) return undefined;
    const value = addressparser(values.join(', ')).map((a) => ({ ...a, name: decodeEncodedWords(a.name) })) as EmailAddress[];
    return { value, html: '', text: '' };
  };
  const body = unreadableBody(message, null);
  const text = body !== null && body.length > MAX_RAW_TEXT ? `${body.slice(0, MAX_RAW_TEXT)}\n[…]` : body;
  // The shape of mailparser's result that toParsedMail reads.
  const shell = { from: list('from'), to: list('to'), cc: list('cc'), replyTo: list('reply-to'), headers: new Map([['sender', list('sender')]]), text, html: false, attachments: [] };
  try {
    const mail = toParsedMail(shell as unknown as Awaited<ReturnType<typeof simpleParser>>, fields);
    return { ...mail, contentType: 'text/plain', reportType: null };
  } catch (err) {
    throw unparseable(`cannot read the message headers: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

function unparseable(reason: string, cause?: unknown): AppError {
  return new AppError('MAIL_UNPARSEABLE', reason, { details: { reason }, cause });
}

/** Maildir files written by some delivery agents keep the mbox `From ` envelope line on top. */
function stripMboxFromLine(raw: Buffer): Buffer {
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') return raw;
  const eol = raw.indexOf(0x0a);
  return eol < 0 ? Buffer.alloc(0) : raw.subarray(eol + 1);
}

/** The bytes before the first empty line (CRLF or LF-only line ends). */
function headerBlock(message: Buffer): Buffer {
  const m = /\r?\n\r?\n/.exec(message.subarray(0, 1024 * 1024).toString('latin1'));
  return m ? message.subarray(0, m.index) : message;
}

/**
 * The body as plain text when the MIME parser found no part in it at all, which happens when a
 * multipart header is folded without indentation and the boundary is lost (sisimai
 * lhost-apachejames-01). Showing the raw body beats silently dropping what the sender wrote.
 */
function unreadableBody(message: Buffer, contentType: string | null): string | null {
  const m = /\r?\n\r?\n/.exec(message.toString('latin1'));
  if (!m) return null;
  const body = message.subarray(m.index + m[0].length).toString('latin1');
  if (body.trim() === '') return null;
  const charset = contentType === null ? null : (parseMimeValue(contentType).params.charset ?? null);
  return decodeBinaryText(body, charset).replace(/\r\n/g, '\n');
}

function notAMailReason(headerText: string, fields: ReturnType<typeof parseHeaderBlock>): string | null {
  if (headerText.trim() === '') return 'no header block';
  // A stray NUL or two is real life (one mopera.net bounce ends its Subject with one); a header
  // block made of control bytes is some other file.
  // eslint-disable-next-line no-control-regex -- counting control bytes is the point
  const controls = headerText.match(/[\x00-\x08\x0e-\x1f\x7f]/g)?.length ?? 0;
  if (controls > 16 && controls > headerText.length / 20) return 'binary data in the header block';
  if (!/^[!-9;-~]+[ \t]*:/.test(headerText)) return 'does not start with a header field';
  if (!fields.some((f) => MAIL_FIELDS.has(f.name))) return 'no mail header fields';
  return null;
}

function toParsedMail(parsed: Awaited<ReturnType<typeof simpleParser>>, fields: ReturnType<typeof parseHeaderBlock>): ParsedMail {
  const rawHeaders = headerMap(fields);
  const contentTypeRaw = firstHeader(rawHeaders, 'content-type');
  const contentType = contentTypeRaw === null ? null : parseMimeValue(contentTypeRaw);
  const charset = contentType?.params.charset ?? null;
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(rawHeaders)) {
    headers[name] = values.map((v) => decodeEncodedWords(decodeBinaryText(v, charset)).replace(/\0/g, '').trim());
  }
  const type = contentType && MIME_TYPE.test(contentType.value) ? contentType.value : 'text/plain';
  const returnPathRaw = firstHeader(rawHeaders, 'return-path');

  return {
    messageId: extractMessageIds(headers['message-id'] ?? [], { addresses: messageAddresses(headers) })[0] ?? null,
    inReplyTo: extractMessageIds(headers['in-reply-to'] ?? [], { addresses: messageAddresses(headers) }),
    references: extractMessageIds(headers['references'] ?? [], { addresses: messageAddresses(headers) }),
    subject: (firstHeader(headers, 'subject') ?? '').replace(/\s+/g, ' ').trim(),
    from: singleAddress(addresses(parsed.from)[0], firstHeader(headers, 'from')),
    sender: singleAddress(addresses(parsed.headers.get('sender'))[0], firstHeader(headers, 'sender')),
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    date: parseDate(firstHeader(headers, 'date')),
    returnPath: returnPathRaw === null ? null : (extractPathAddress(returnPathRaw) ?? ''),
    contentType: type,
    reportType: type === 'multipart/report' ? (contentType?.params['report-type']?.trim().toLowerCase() || null) : null,
    headers,
    text: parsed.text ? parsed.text : null,
    html: parsed.html ? parsed.html : null,
    attachments: parsed.attachments.map(toAttachment),
  };
}

function isAddressObject(value: unknown): value is AddressObject {
  return typeof value === 'object' && value !== null && Array.isArray((value as AddressObject).value);
}

/** Flattens mailparser address objects (and RFC 5322 groups) into plain addresses. */
function addresses(value: unknown): MailAddress[] {
  const out: MailAddress[] = [];
  const visit = (list: EmailAddress[]): void => {
    for (const entry of list) {
      if (entry.group) visit(entry.group);
      const address = entry.address?.trim();
      if (address) out.push({ address, name: entry.name?.trim() || null });
    }
  };
  for (const obj of Array.isArray(value) ? value : [value]) {
    if (isAddressObject(obj)) visit(obj.value);
  }
  return out;
}

/**
 * mailparser's address parser mangles comments inside an address (RFC 5322 Appendix A.5, mikel-mail
 * rfc2822/example10: `<pete(his account)@silly.test(his host)>`); read such a header again with
 * the comments removed.
 */
function singleAddress(parsed: MailAddress | undefined, header: string | null): MailAddress | null {
  if (!parsed || !/[()]/.test(parsed.address) || header === null) return parsed ?? null;
  const stripped = stripComments(header);
  const address = extractPathAddress(stripped);
  const name = stripped.includes('<') ? (stripped.split('<')[0] ?? '').trim().replace(/^"(.*)"$/, '$1') : '';
  return address ? { address, name: name || null } : null;
}

/** mailparser replaces an unreadable Date with "now"; a mail without a usable date gets null instead. */
function parseDate(value: string | null): Date | null {
  if (value === null) return null;
  const date = new Date(stripComments(value).trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

function toAttachment(a: Attachment): MailAttachment {
  const disposition = a.contentDisposition?.toLowerCase();
  return {
    filename: a.filename ?? null,
    // `text/plain charset=...` without the semicolon reaches us whole (sisimai lhost-x1-02).
    contentType: (/^[^\s;/]+\/[^\s;]+/.exec(a.contentType.toLowerCase())?.[0] ?? 'application/octet-stream'),
    size: a.content.length,
    contentId: a.cid || null,
    inline: disposition === 'inline' || (disposition === undefined && a.related === true),
    content: a.content,
  };
}
